"""Start-monitoring and alarm-limits dialogs. Errors are shown next to the form, naming the field."""

from __future__ import annotations

import re

from pydantic import ValidationError
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from hms_desktop.domain.alarm_limits import SATSECONDS_CHOICES, AlarmLimits
from hms_desktop.ui.monitor.sources import BLE_PROTOCOLS, DEMO_PORT
from hms_desktop.ui.monitor.widgets import dialog_body, error_label, named

PATIENT_ID = re.compile(r"[A-Z]{3}\d{6,}")
FALLBACK_PROTOCOLS = ("cms50-v7", "cms50-legacy", "nonin-df2", "nonin-df8", "masimo", "text")


def known_protocols() -> list[str]:
    try:
        from hms_desktop.devices.protocols import PROTOCOLS
    except ImportError:  # devices package not installed in this build
        return [*FALLBACK_PROTOCOLS, *BLE_PROTOCOLS]
    return [*PROTOCOLS, *BLE_PROTOCOLS]


def discovered_ports() -> list[str]:
    """Serial / Bluetooth ports the devices package can see, then the demo device."""
    ports: list[str] = []
    try:
        from hms_desktop.devices.discovery import list_ports

        ports = [p.path for p in list_ports()]
    except Exception:  # noqa: BLE001 - discovery is a convenience; the port can be typed
        ports = []
    return [*ports, DEMO_PORT]


class ConnectDialog(QDialog):
    """Choose bed, device (port + protocol) and patient for a new monitoring session."""

    def __init__(self, beds: list[str], *, bed: str = "", patient_id: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "start monitoring dialog")
        self.setWindowTitle("Start monitoring")
        self.bed = named(QComboBox(), "bed")
        self.bed.addItems(beds)
        if bed in beds:
            self.bed.setCurrentText(bed)
        self.port = named(QComboBox(), "device port")
        self.port.setEditable(True)
        self.port.addItems(discovered_ports())
        self.protocol = named(QComboBox(), "device protocol")
        self.protocol.addItems(known_protocols())
        self.patient = named(QLineEdit(patient_id), "patient id")
        self.patient.setPlaceholderText("PAT000123")
        self.error = error_label("start monitoring error")
        form = QFormLayout()
        form.addRow("&Bed:", self.bed)
        form.addRow("&Device:", self.port)
        form.addRow("P&rotocol:", self.protocol)
        form.addRow("&Patient:", self.patient)
        dialog_body(self, form, self.error, "start monitoring buttons", QDialogButtonBox.StandardButton.Ok)

    def values(self) -> tuple[str, str, str, str]:
        return (self.bed.currentText(), self.port.currentText().strip(), self.protocol.currentText(),
                self.patient.text().strip().upper())

    def accept(self) -> None:
        bed, port, _protocol, patient = self.values()
        if not bed:
            self.error.setText("Bed: choose a bed (add one first)")
        elif not port:
            self.error.setText("Device: choose or type a port")
        elif not PATIENT_ID.fullmatch(patient):
            self.error.setText(f"Patient: {patient or '(empty)'} is not a patient id like PAT000123")
        else:
            super().accept()


_FIELDS: list[tuple[str, str, str, tuple[float, float]]] = [
    ("spo2_low", "Sp&O2 low limit (%)", "int", (50, 99)),
    ("pr_low", "Pulse &low limit (/min)", "int", (20, 200)),
    ("pr_high", "Pulse &high limit (/min)", "int", (40, 300)),
    ("spo2_delay_s", "SpO2 onset delay (s)", "float", (0, 60)),
    ("pr_delay_s", "Pulse onset delay (s)", "float", (0, 60)),
    ("spo2_hysteresis", "SpO2 clear margin (points)", "int", (0, 10)),
    ("pr_hysteresis", "Pulse clear margin (/min)", "int", (0, 30)),
    ("clear_after_s", "Clear after (s in range)", "float", (0, 60)),
    ("technical_delay_s", "Sensor alarm delay (s)", "float", (0, 30)),
    ("escalate_after_s", "Escalate medium after (s, 0 = never)", "float", (0, 3600)),
]


class LimitsDialog(QDialog):
    """Edit one patient's alarm limits; invalid combinations are refused with the field named."""

    def __init__(self, patient_id: str, limits: AlarmLimits, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "alarm limits dialog")
        self.setWindowTitle(f"Alarm limits — {patient_id}")
        self.patient_id = patient_id
        self.base = limits
        self.inputs: dict[str, QSpinBox | QDoubleSpinBox] = {}
        form = QFormLayout()
        for field, label, kind, (lo, hi) in _FIELDS:
            box: QSpinBox | QDoubleSpinBox = QSpinBox() if kind == "int" else QDoubleSpinBox()
            box.setRange(lo, hi)  # type: ignore[arg-type]
            box.setValue(getattr(limits, field))
            self.inputs[field] = named(box, field.replace("_", " "))
            form.addRow(label, box)
        self.satseconds = named(QComboBox(), "satseconds")
        for choice in SATSECONDS_CHOICES:
            self.satseconds.addItem("off (use onset delay)" if choice == 0 else str(choice), choice)
        self.satseconds.setCurrentIndex(SATSECONDS_CHOICES.index(limits.satseconds))
        form.addRow("&SatSeconds:", self.satseconds)
        self.latching = named(QCheckBox("La&tching alarms (stay until acknowledged)"), "latching")
        self.latching.setChecked(limits.latching)
        form.addRow(self.latching)
        self.error = error_label("alarm limits error")
        dialog_body(self, form, self.error, "alarm limits buttons", QDialogButtonBox.StandardButton.Save)
        self.result_limits: AlarmLimits | None = None

    def accept(self) -> None:
        data = self.base.model_dump() | {f: box.value() for f, box in self.inputs.items()}
        data |= {"satseconds": self.satseconds.currentData(), "latching": self.latching.isChecked(),
                 "id": self.patient_id}
        try:
            self.result_limits = AlarmLimits.model_validate(data)
        except ValidationError as exc:
            self.error.setText("; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'limits'}: {e['msg'].removeprefix('Value error, ')}"
                for e in exc.errors()))
            return
        super().accept()
