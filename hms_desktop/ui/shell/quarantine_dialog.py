"""Lists the rows the storage engine refused at load, so nobody thinks they were lost.

Each row shows the file, line, reason and the raw text exactly as found; the original
text is kept in ``data/quarantine/`` for a person to fix and re-enter.
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
            f"{len(rows)} row(s) could not be loaded and were set aside in the quarantine "
            "folder. Every other row loaded. Fix the source file or re-enter these records."
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
