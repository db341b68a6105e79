"""PatientStatusDialog: mark a patient active, inactive or deceased (with the date). Never delete."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from hms_desktop.domain.patient import PatientStatus, parse_birth_date
from hms_desktop.ui.context import describe_failure
from hms_desktop.ui.patients.common import name_widget

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext

CHOICES = (PatientStatus.ACTIVE, PatientStatus.INACTIVE, PatientStatus.DECEASED)


class PatientStatusDialog(QDialog):
    def __init__(self, ctx: AppContext, patient_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.service = ctx.services.patients
        self.patient_id = patient_id
        current = self.service.get(patient_id)
        name_widget(self, "patient_status", "Patient status")
        self.setWindowTitle(f"Status of {self.service.display_name(patient_id)} ({patient_id})")
        self.choice = name_widget(QComboBox(), "status_choice", "Status")
        for status in CHOICES:
            self.choice.addItem(status.value.capitalize(), status.value)
        if current is not None and current.status in CHOICES:
            self.choice.setCurrentIndex(CHOICES.index(current.status))
        self.died = name_widget(QLineEdit(), "deceased_on_input", "Date of death")
        self.died.setPlaceholderText("DD/MM/YYYY or YYYY-MM-DD")
        if current is not None and current.deceased_on:
            self.died.setText(current.deceased_on.isoformat())
        self.message = name_widget(QLabel(""), "status_message", "Status message")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        name_widget(buttons.button(QDialogButtonBox.StandardButton.Save), "save_button", "Save status")
        name_widget(buttons.button(QDialogButtonBox.StandardButton.Cancel), "cancel_button", "Cancel")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.choice.currentIndexChanged.connect(self._toggle)
        layout = QFormLayout(self)
        layout.addRow("&Status", self.choice)
        layout.addRow("Date of &death", self.died)
        layout.addRow(self.message)
        layout.addRow(buttons)
        self._toggle()

    def _status(self) -> PatientStatus:
        return PatientStatus(self.choice.currentData())

    def _toggle(self) -> None:
        self.died.setEnabled(self._status() is PatientStatus.DECEASED)

    def save(self) -> None:
        died: date | None = None
        if self._status() is PatientStatus.DECEASED:
            try:
                died = parse_birth_date(self.died.text(), date.today())
            except ValueError as exc:
                self.message.setText(f"Date of death {exc}")
                self.died.setFocus()
                return
        self.ctx.run(self.service.set_status, self.patient_id, self._status(), deceased_on=died,
                     on_done=lambda _p: self.accept(), on_error=self._failed,
                     what=f"status of {self.patient_id}")

    def _failed(self, error: BaseException) -> bool:
        self.message.setText(f"Not saved: {describe_failure(error)}")
        return True  # shown here; no message box on top
