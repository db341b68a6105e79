"""Lists the rows the storage engine refused at load, so nobody thinks they were lost.

Each row shows the file, line, reason and the raw text exactly as found; the row stays in
its file for a person to fix (a copy is kept in ``data/quarantine/``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

COLUMNS = ("File", "Line", "Reason", "Raw text")


class QuarantineDialog(QDialog):
    """Read-only table of quarantined rows (file, line, reason, raw)."""

    def __init__(self, rows: Sequence[Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("quarantine_dialog")
        self.setAccessibleName("Quarantined rows")
        self.setWindowTitle("Quarantined rows")
        self.resize(900, 400)

        intro = QLabel(
            f"{len(rows)} row(s) could not be loaded; every other row loaded. Each stays in its "
            "file (a copy is in the quarantine folder) until it is fixed there, or discarded with "
            "File ▸ Repair data folder. A write interrupted by a crash was never saved and is only noted."
        )
        intro.setWordWrap(True)
        intro.setObjectName("quarantine_intro")
        intro.setAccessibleName("Quarantine explanation")

        self.table = QTableWidget(len(rows), len(COLUMNS), self)
        self.table.setObjectName("quarantine_table")
        self.table.setAccessibleName("Quarantined rows table")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for r, row in enumerate(rows):
            cells = (str(row.file), str(row.line), str(row.reason), str(row.raw))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.setObjectName("quarantine_buttons")
        buttons.setAccessibleName("Close quarantine list")
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
