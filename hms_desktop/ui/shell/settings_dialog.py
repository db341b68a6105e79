"""Edits the clinic settings; invalid input is refused with the field named, nothing saved."""

from __future__ import annotations

from zoneinfo import available_timezones

import phonenumbers
from pydantic import ValidationError
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.domain.clinic_settings import ClinicSettings
from hms_desktop.domain.validation_text import describe_validation_error
from hms_desktop.ui.common.naming import named as _named


class SettingsDialog(QDialog):
    """Form over ClinicSettings. ``result_settings`` holds the validated value on accept."""

    def __init__(self, settings: ClinicSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _named(self, "settings_dialog", "Clinic settings")
        self.setWindowTitle("Clinic settings")
        self.result_settings: ClinicSettings | None = None

        self.name_edit = QLineEdit(settings.clinic_name)
        _named(self.name_edit, "settings_clinic_name", "Clinic name")

        self.zone_combo = QComboBox()
        _named(self.zone_combo, "settings_time_zone", "Time zone")
        self.zone_combo.setEditable(True)  # type to find among ~600 zones
        self.zone_combo.addItems(sorted(available_timezones()))
        self.zone_combo.setCurrentText(settings.time_zone)

        self.region_combo = QComboBox()
        _named(self.region_combo, "settings_phone_region", "Phone default region")
        self.region_combo.setEditable(True)
        self.region_combo.addItems(sorted(phonenumbers.SUPPORTED_REGIONS))
        self.region_combo.setCurrentText(settings.phone_region)

        self.stale_spin = QSpinBox()
        _named(self.stale_spin, "settings_news2_stale", "NEWS2 observations stale after (minutes)")
        self.stale_spin.setRange(5, 24 * 60)
        self.stale_spin.setSuffix(" min")
        self.stale_spin.setValue(settings.news2_stale_minutes)

        self.pause_spin = QSpinBox()
        _named(self.pause_spin, "settings_audio_pause", "Alarm audio pause (seconds)")
        self.pause_spin.setRange(60, 180)
        self.pause_spin.setSuffix(" s")
        self.pause_spin.setValue(settings.audio_pause_seconds)

        self.idle_spin = QSpinBox()
        _named(self.idle_spin, "settings_idle_lock", "Lock the screen after idle (minutes)")
        self.idle_spin.setRange(1, 60)
        self.idle_spin.setSuffix(" min")
        self.idle_spin.setToolTip("A workstation locks after this long without keyboard or mouse input "
                                  "(a nurse-station kiosk never does; docs/security.md)")
        self.idle_spin.setValue(settings.idle_lock_minutes)

        self.address_edit = QPlainTextEdit(settings.clinic_address)
        _named(self.address_edit, "settings_clinic_address", "Clinic address")
        self.address_edit.setTabChangesFocus(True)
        self.address_edit.setFixedHeight(64)
        self.signatory_edit = QLineEdit(settings.letter_signatory)
        _named(self.signatory_edit, "settings_letter_signatory", "Letters signed by")
        self.signatory_edit.setPlaceholderText("e.g. Dr Amara Okafor")
        self.role_edit = QLineEdit(settings.letter_signatory_role)
        _named(self.role_edit, "settings_letter_role", "Signatory role")
        self.role_edit.setPlaceholderText("e.g. General Practitioner")

        self.error_label = QLabel("")
        _named(self.error_label, "settings_error", "Settings error")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")

        form = QFormLayout()
        form.addRow("Clinic &name:", self.name_edit)
        form.addRow("&Time zone:", self.zone_combo)
        form.addRow("&Phone region:", self.region_combo)
        form.addRow("NEWS2 &stale after:", self.stale_spin)
        form.addRow("Alarm audio pa&use:", self.pause_spin)
        form.addRow("&Idle lock after:", self.idle_spin)
        form.addRow("Clinic &address:", self.address_edit)
        form.addRow("&Letters signed by:", self.signatory_edit)
        form.addRow("Signatory &role:", self.role_edit)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        _named(buttons, "settings_buttons", "Save or cancel settings")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    def accept(self) -> None:
        """Validate first; on a bad value stay open and say which field is wrong."""
        region = self.region_combo.currentText().strip().upper()
        try:
            candidate = ClinicSettings(
                clinic_name=self.name_edit.text(),
                time_zone=self.zone_combo.currentText().strip(),
                phone_region=region,
                news2_stale_minutes=self.stale_spin.value(),
                audio_pause_seconds=self.pause_spin.value(),
                idle_lock_minutes=self.idle_spin.value(),
                clinic_address=self.address_edit.toPlainText().strip(),
                letter_signatory=" ".join(self.signatory_edit.text().split()),
                letter_signatory_role=" ".join(self.role_edit.text().split()),
            )
        except ValidationError as exc:
            self.error_label.setText(describe_validation_error(exc))
            return
        if region not in phonenumbers.SUPPORTED_REGIONS:
            self.error_label.setText(f"phone_region: {region!r} is not a region phone numbers know")
            return
        self.result_settings = candidate
        super().accept()
