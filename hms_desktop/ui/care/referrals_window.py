"""The clinic-wide referrals list with filters (status, department, urgency, late, open)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.domain.referrals import ReferralStatus, Urgency
from hms_desktop.services import topics
from hms_desktop.services.referrals import ReferralRow
from hms_desktop.ui.care.common import RowsModel, add_labelled, make_table, named, patient_name
from hms_desktop.ui.care.referral_rows import HEADERS, referral_cells

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext

ALL = "all"


class ReferralsWindow(QDialog):
    """Non-modal; Enter on a row opens that patient's record. Filtering runs on the writer."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        named(self, "care_referrals_window", "All referrals")
        self.setWindowTitle("All referrals")
        self.resize(1000, 520)
        self.ctx = ctx
        self.today = today or date.today()
        self.status = named(QComboBox(), "referrals_filter_status", "Filter by status")
        self.status.addItems([ALL] + [s.value for s in ReferralStatus])
        self.department = named(QComboBox(), "referrals_filter_department", "Filter by department")
        self.department.addItems([ALL] + [d.name for d in
                                          ctx.services.referrals.departments(include_inactive=True)])
        self.urgency = named(QComboBox(), "referrals_filter_urgency", "Filter by urgency")
        self.urgency.addItems([ALL] + [u.value for u in Urgency])
        self.late = named(QCheckBox("&Late only"), "referrals_filter_late", "Late only")
        self.open_only = named(QCheckBox("&Open only"), "referrals_filter_open", "Open only")
        self.count = named(QLabel(""), "referrals_count", "Referrals count")
        self.model = RowsModel(("Patient", "Name", *HEADERS), self)
        self.table = make_table("referrals_table", "All referrals table", self.model)
        self.table.activated.connect(self._open)
        filters = QHBoxLayout()
        add_labelled(filters, [("&Status", self.status), ("&Department", self.department),
                               ("&Urgency", self.urgency)])
        filters.addWidget(self.late)
        filters.addWidget(self.open_only)
        filters.addStretch(1)
        filters.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        for combo in (self.status, self.department, self.urgency):
            combo.currentTextChanged.connect(lambda _: self.load())
        for box in (self.late, self.open_only):
            box.toggled.connect(lambda _: self.load())
        ctx.changes.sig_changed.connect(self._on_change)
        self.load()

    def _on_change(self, change: Any) -> None:
        if change.table == topics.REFERRALS:
            self.load()

    def load(self) -> None:
        status = self.status.currentText()
        department = self.department.currentText()
        urgency = self.urgency.currentText()
        self.ctx.run(self.ctx.services.referrals.search, self.today,
                     status=None if status == ALL else ReferralStatus(status),
                     department=None if department == ALL else department,
                     urgency=None if urgency == ALL else Urgency(urgency),
                     overdue_only=self.late.isChecked(), open_only=self.open_only.isChecked(),
                     on_done=self._show, what="referrals list")

    def _show(self, rows: list[ReferralRow]) -> None:
        services = self.ctx.services
        self.model.set_rows(
            [[r.referral.patient_id, patient_name(services, r.referral.patient_id),
              *referral_cells(r.referral, r.overdue)] for r in rows],
            [r.referral.patient_id for r in rows], {i for i, r in enumerate(rows) if r.overdue})
        late = sum(1 for r in rows if r.overdue)
        self.count.setText(f"{len(rows)} referrals, {late} late")

    def _open(self, index: QModelIndex) -> None:
        self.ctx.current_patient.select(self.model.key(index.row()))
