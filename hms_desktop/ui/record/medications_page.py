"""Medications: every new prescription passes the drug-allergy check before it is saved.

A conflict opens a warning naming the allergy, its reaction and severity; the prescriber
either cancels or gives a reason, which the service records (as a clinical note) with the
medication. Without a conflict the page still says what the check found — "not checked
against allergies" or "allergy status not recorded" — so silence never reads as "safe".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.domain.allergy_check import AllergyCheck, CheckOutcome
from hms_desktop.domain.field_limits import limit, too_long_message
from hms_desktop.domain.record import Medication, Section
from hms_desktop.ui.record.entry_dialog import RecordEntryDialog
from hms_desktop.ui.record.section_page import SectionPage, current_user
from hms_desktop.ui.record.widgets import named

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext


class AllergyWarningDialog(QDialog):
    """The conflict, and the reason needed to prescribe anyway."""

    def __init__(self, check: AllergyCheck, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Allergy warning")
        named(self, "allergy_warning_dialog", "Allergy warning")
        self.check = check
        text = named(QLabel(check.message, self), "allergy_warning_text", "Allergy warning text")
        text.setWordWrap(True)
        text.setStyleSheet("background:#c62828; color:white; font-weight:bold; padding:8px;")
        caption = named(QLabel("&Reason for prescribing despite the allergy (recorded with your name):", self),
                        "override_reason_label", "Override reason label")
        caption.setWordWrap(True)
        self.reason = named(QPlainTextEdit(self), "override_reason", "Override reason")
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(70)
        caption.setBuddy(self.reason)
        self.problem = named(QLabel("", self), "override_reason_message", "Override reason message")
        self.problem.setStyleSheet("color: #b00020;")
        buttons = QDialogButtonBox(self)
        self.prescribe = named(buttons.addButton("&Prescribe anyway", QDialogButtonBox.ButtonRole.AcceptRole),
                               "prescribe_anyway", "Prescribe anyway")
        self.cancel = named(buttons.addButton("Do &not prescribe", QDialogButtonBox.ButtonRole.RejectRole),
                            "do_not_prescribe", "Do not prescribe")
        self.cancel.setDefault(True)  # Enter must never override a warning
        self.prescribe.setEnabled(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.reason.textChanged.connect(self._reason_changed)
        layout = QVBoxLayout(self)
        for widget in (text, caption, self.reason, self.problem, buttons):
            layout.addWidget(widget)
        self.setMinimumWidth(420)

    def reason_text(self) -> str:
        return " ".join(self.reason.toPlainText().split())

    def _reason_changed(self) -> None:
        problem = too_long_message("Override reason", self.reason_text(), limit("AllergyOverride", "reason"))
        self.problem.setText(problem or "")
        self.prescribe.setEnabled(bool(self.reason_text()) and problem is None)


class MedicationsPage(SectionPage):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, Section.MEDICATIONS, parent)
        self.warning: AllergyWarningDialog | None = None

    def add_entry(self, prefill: dict[str, Any] | None = None) -> RecordEntryDialog | None:
        """The add dialog, with the allergy check said as the drug name is typed."""
        dialog = super().add_entry(prefill)
        if dialog is None:
            return None
        hint = named(QLabel("", dialog), "allergy_check_hint", "Allergy check")
        hint.setWordWrap(True)
        name = dialog.input("name")
        patient_id = self.patient_id

        def update() -> None:
            text = name.text().strip() if isinstance(name, QLineEdit) else ""
            check = self.ctx.services.record.check_allergies(patient_id, text) if text else None
            hint.setText(check.message if check is not None else "")
            conflict = check is not None and check.outcome is CheckOutcome.CONFLICT
            hint.setStyleSheet("color: white; background: #c62828; padding: 4px;" if conflict else "")

        if isinstance(name, QLineEdit):
            name.textChanged.connect(lambda _t: update())
        dialog.add_hint(hint)
        update()
        return dialog

    def _save_new(self, dialog: RecordEntryDialog) -> None:
        entry = dialog.entry()
        assert isinstance(entry, Medication)
        check = self.ctx.services.record.check_allergies(entry.patient_id, entry.name)
        if check.outcome is not CheckOutcome.CONFLICT:
            self._prescribe(entry, "")
            return
        self.warning = AllergyWarningDialog(check, self)
        self.warning.accepted.connect(lambda: self._prescribe(entry, self.warning.reason_text()
                                                              if self.warning else ""))
        self.warning.rejected.connect(lambda: self.message.setText(f"Not prescribed: {check.message}"))
        self.warning.setModal(True)
        self.warning.open()

    def _prescribe(self, entry: Medication, reason: str) -> None:
        self.ctx.run(self.ctx.services.record.add_medication, entry, override_reason=reason,
                     author=current_user(), on_done=self._prescribed, on_error=self._failed,
                     what="saving medication")

    def _prescribed(self, result: tuple[Medication, AllergyCheck]) -> None:
        saved, check = result
        self._saved(saved)
        if check.outcome is CheckOutcome.CONFLICT:
            self.message.setText(f"Saved {saved.id} despite the allergy warning; the reason is recorded in "
                                 "the clinical notes.")
        else:
            self.message.setText(f"Saved {saved.id}. {check.message}")
