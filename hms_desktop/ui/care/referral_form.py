"""New-referral form and the workflow step bar (next step, its date, details)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from hms_desktop.domain.field_limits import limit
from hms_desktop.domain.referrals import ReferralStatus, Urgency, next_steps
from hms_desktop.ui.care.common import add_form_rows, add_labelled, named


class ReferralForm(QGroupBox):
    def __init__(self) -> None:
        super().__init__("New referral")
        named(self, "referral_form", "New referral form")
        form = QFormLayout(self)
        self.to_department = named(QComboBox(), "referral_to", "Referred to department")
        self.from_department = named(QLineEdit(), "referral_from", "Referring department")
        self.reason = named(QLineEdit(), "referral_reason", "Reason for referral")
        self.urgency = named(QComboBox(), "referral_urgency", "Urgency")
        self.urgency.addItems([u.value for u in Urgency])
        self.referred_by = named(QLineEdit(), "referral_by", "Referred by")
        self.notes = named(QLineEdit(), "referral_notes", "Referral notes")
        for field, edit in (("reason", self.reason), ("referred_by", self.referred_by), ("notes", self.notes)):
            edit.setMaxLength(limit("Referral", field))  # field_limits: one table for all
        add_form_rows(form, [("&To department", self.to_department), ("&From department", self.from_department),
                         ("&Reason", self.reason), ("&Urgency", self.urgency),
                         ("Referred &by", self.referred_by), ("&Notes", self.notes)])

    def set_departments(self, names: list[str]) -> None:
        current = self.to_department.currentText()
        self.to_department.clear()
        self.to_department.addItems(names)
        if current in names:
            self.to_department.setCurrentText(current)

    def values(self) -> dict[str, Any]:
        return {"to_department": self.to_department.currentText(),
                "from_department": self.from_department.text().strip(),
                "reason": self.reason.text(), "urgency": self.urgency.currentText(),
                "referred_by": self.referred_by.text(), "notes": self.notes.text().strip()}

    def clear(self) -> None:
        self.reason.clear()
        self.notes.clear()


class StepBar(QWidget):
    """Move the selected referral one step: the choices are only those the workflow allows."""

    def __init__(self) -> None:
        super().__init__()
        named(self, "referral_step_bar", "Referral step")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.step = named(QComboBox(), "referral_next_step", "Next step")
        self.on = named(QDateEdit(QDate.currentDate()), "referral_step_date", "Step date")
        self.on.setCalendarPopup(True)
        self.on.setDisplayFormat("yyyy-MM-dd")
        self.appointment = named(QDateEdit(QDate.currentDate()), "referral_appointment",
                                 "Appointment date")
        self.appointment.setCalendarPopup(True)
        self.appointment.setDisplayFormat("yyyy-MM-dd")
        self.cancel_reason = named(QLineEdit(), "referral_cancel_reason", "Cancellation reason")
        self.cancel_reason.setPlaceholderText("reason (to cancel)")
        self.apply = named(QPushButton("A&pply step"), "referral_apply_step", "Apply step")
        add_labelled(row, [("Next step", self.step), ("on", self.on),
                           ("appointment", self.appointment)])
        row.addWidget(self.cancel_reason, 1)
        row.addWidget(self.apply)
        self.step.currentTextChanged.connect(self._fields_for_step)
        self.set_status(None)

    def set_status(self, status: ReferralStatus | None) -> None:
        self.step.clear()
        steps = next_steps(status) if status is not None else []
        self.step.addItems([s.value for s in steps])
        self.setEnabled(bool(steps))
        self._fields_for_step(self.step.currentText())

    def _fields_for_step(self, step: str) -> None:
        self.appointment.setEnabled(step == ReferralStatus.BOOKED.value)
        self.cancel_reason.setEnabled(step == ReferralStatus.CANCELLED.value)
