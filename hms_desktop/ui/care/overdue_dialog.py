"""Clinic-wide list of enrolled patients whose next chronic reading is late."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.domain.chronic import OverdueEntry
from hms_desktop.ui.care.common import RowsModel, make_table, named, patient_name

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext

HEADERS = ("Patient", "Name", "Last reading", "Due", "Days late")


class OverdueDialog(QDialog):
    """Computed on the writer (it reads every reading's date); Enter on a row opens the patient."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        named(self, "care_overdue_dialog", "Overdue chronic readings")
        self.setWindowTitle("Overdue chronic-disease readings")
        self.resize(640, 420)
        self.ctx = ctx
        self.today = today or date.today()
        self.summary = named(QLabel("Loading…"), "overdue_summary", "Overdue summary")
        self.model = RowsModel(HEADERS, self)
        self.table = make_table("overdue_table", "Overdue patients", self.model)
        self.table.activated.connect(self._open)
        self.refresh = named(QPushButton("&Refresh"), "overdue_refresh", "Refresh overdue list")
        self.refresh.clicked.connect(self.load)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.refresh)
        self.load()

    def load(self) -> None:
        self.summary.setText("Loading…")
        self.ctx.run(self.ctx.services.chronic.overdue, self.today, on_done=self._show,
                     what="overdue list")

    def _show(self, entries: list[OverdueEntry]) -> None:
        rows = [[e.patient_id, patient_name(self.ctx.services, e.patient_id),
                 e.last_reading.isoformat() if e.last_reading else "never", e.due.isoformat(),
                 str(e.days_late)] for e in entries]
        self.model.set_rows(rows, [e.patient_id for e in entries], set(range(len(rows))))
        self.summary.setText(f"{len(entries)} patients overdue on {self.today.isoformat()}")

    def _open(self, index: QModelIndex) -> None:
        self.ctx.current_patient.select(self.model.key(index.row()))
