"""PatientHistoryDialog: every saved version of a patient, who saved it, when and what changed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.services.patients import HistoryEntry
from hms_desktop.ui.patients.common import name_widget

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext

HEADERS = ("Version", "When (UTC)", "Who", "Field", "Before", "After")


def history_rows(entries: list[HistoryEntry]) -> list[tuple[str, ...]]:
    """One table row per changed field, newest version first (what the user looks for)."""
    rows: list[tuple[str, ...]] = []
    for entry in reversed(entries):
        when = entry.at.strftime("%Y-%m-%d %H:%M:%S") if entry.at else ""
        action = "registered" if entry.version == 1 else entry.op
        changes = entry.changes or []
        if not changes:
            rows.append((str(entry.version), when, entry.by, f"({action})", "", ""))
        for change in changes:
            rows.append((str(entry.version), when, entry.by, change.field, change.old, change.new))
    return rows


class PatientHistoryDialog(QDialog):
    def __init__(self, ctx: AppContext, patient_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        service = ctx.services.patients
        name_widget(self, "patient_history", "Patient history")
        self.setWindowTitle(f"History of {service.display_name(patient_id)} ({patient_id})")
        self.table = name_widget(QTableWidget(0, len(HEADERS)), "history_table", "Versions")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.summary = name_widget(QLabel("Loading history…"), "history_summary", "History summary")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        name_widget(buttons.button(QDialogButtonBox.StandardButton.Close), "close_button", "Close")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(820, 420)
        # Reading the journals is file work: it runs on the writer, never on the GUI thread.
        ctx.run(service.history, patient_id, on_done=self.show_entries, what="reading patient history")

    def show_entries(self, entries: list[HistoryEntry]) -> None:
        rows = history_rows(entries)
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.summary.setText(f"{len(entries)} version(s)")
