"""Start-monitoring and alarm-limits dialogs. Errors are shown next to the form, naming the field."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import ValidationError
from PySide6.QtCore import Signal
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

from hms_desktop.devices.sources import BLE_PROTOCOLS, DEMO_PORT
from hms_desktop.domain.alarm_limits import SATSECONDS_CHOICES, AlarmLimits
from hms_desktop.ui.monitor.widgets import dialog_body, error_label, named

PATIENT_ID = re.compile(r"[A-Z]{3}\d{6,}")
BLUETOOTH_ADDRESS = re.compile(r"[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}")
FALLBACK_PROTOCOLS = ("cms50-v7", "cms50-legacy", "nonin-df2", "nonin-df8", "masimo", "text")


def known_protocols() -> list[str]:
    try:
        from hms_desktop.devices.protocols import PROTOCOLS
    except ImportError:  # devices package not installed in this build
        return [*FALLBACK_PROTOCOLS, *BLE_PROTOCOLS]
    return [*PROTOCOLS, *BLE_PROTOCOLS]


#: The protocol choice that asks the dialog to find out what the device speaks.
DETECT = "detect automatically"
#: What a port without detection falls back to for the demo device (it speaks every protocol).
DEMO_PROTOCOL = "cms50-v7"
PatientCheck = Callable[[str], bool]


def discovered_ports() -> list[tuple[str, str]]:
    """(label, port) for every serial / Bluetooth port the devices package sees, then the demo
    device. Known oximeter bridges come first; nothing is preselected (no ``/dev/ttyS0``)."""
    ports: list[tuple[str, str]] = []
    try:
        from hms_desktop.devices.discovery import list_ports

        ports = [(p.path if p.friendly_name == p.path else f"{p.path} — {p.friendly_name}", p.path)
                 for p in list_ports()]
    except Exception:  # noqa: BLE001 - discovery is a convenience; the port can be typed
        ports = []
    return [*ports, (DEMO_PORT, DEMO_PORT)]


def detect_protocol(port: str) -> str | None:
    """The protocol the device on ``port`` speaks (blocks up to ~10 s: never on the GUI thread)."""
    from hms_desktop.devices.discovery import autodetect

    return autodetect(port)


@dataclass(frozen=True, slots=True)
class ConnectChoice:
    """What the nurse chose; passed to ``start_monitoring`` by keyword, never by position."""

    bed: str
    port: str
    protocol: str
    patient: str


class ConnectDialog(QDialog):
    """Choose bed, device (port + protocol) and patient for a new monitoring session.

    An unknown patient is refused with a plain sentence; "detect automatically" listens to
    the port on a worker thread and fills in the protocol before the dialog closes.
    """

    sig_detection_finished = Signal(str, object)
    """(port, protocol or None) from the detection thread (queued to the GUI thread)."""

    def __init__(self, beds: list[str], *, bed: str = "", patient_id: str = "",
                 patient_exists: PatientCheck | None = None, bed_names: dict[str, str] | None = None,
                 detect: Callable[[str], str | None] = detect_protocol,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "start monitoring dialog")
        self.setWindowTitle("Start monitoring")
        self.patient_exists = patient_exists
        self.detect = detect
        self._detector: threading.Thread | None = None
        self.bed = named(QComboBox(), "bed")
        for bed_id in beds:
            self.bed.addItem((bed_names or {}).get(bed_id, bed_id), bed_id)
        if bed in beds:
            self.bed.setCurrentIndex(beds.index(bed))
        self.port = named(QComboBox(), "device port")
        self.port.setEditable(True)
        for text, port in discovered_ports():
            self.port.addItem(text, port)
        self.port.setCurrentIndex(-1)  # no default port: the nurse picks the device
        port_edit = self.port.lineEdit()
        if port_edit is not None:
            port_edit.setPlaceholderText("choose or type a port")
        self.protocol = named(QComboBox(), "device protocol")
        self.protocol.addItems([DETECT, *known_protocols()])
        self.patient = named(QLineEdit(patient_id), "patient id")
        self.patient.setPlaceholderText("PAT000123")
        self.error = error_label("start monitoring error")
        form = QFormLayout()
        form.addRow("&Bed:", self.bed)
        form.addRow("&Device:", self.port)
        form.addRow("P&rotocol:", self.protocol)
        form.addRow("&Patient:", self.patient)
        self.buttons = dialog_body(self, form, self.error, "start monitoring buttons",
                                   QDialogButtonBox.StandardButton.Ok)
        self.sig_detection_finished.connect(self._detected)

    def values(self) -> ConnectChoice:
        return ConnectChoice(bed=str(self.bed.currentData() or self.bed.currentText()),
                             port=self.port_path(), protocol=self.protocol.currentText(),
                             patient=self.patient.text().strip().upper())

    def port_path(self) -> str:
        """The chosen port's path (the list shows "path — description")."""
        text = self.port.currentText().strip()
        index = self.port.findText(text)
        return str(self.port.itemData(index)) if index >= 0 else text

    def accept(self) -> None:
        choice = self.values()
        if not choice.bed:
            self.error.setText("Bed: choose a bed (add one first)")
        elif not choice.port:
            self.error.setText("Device: choose or type a port")
        elif not PATIENT_ID.fullmatch(choice.patient):
            self.error.setText(f"Patient: {choice.patient or '(empty)'} is not a patient id like PAT000123")
        elif self.patient_exists is not None and not self.patient_exists(choice.patient):
            self.error.setText(f"Patient: there is no patient {choice.patient} — check the number "
                               "or register the patient first")
        elif choice.protocol == DETECT and choice.port == DEMO_PORT:
            self.protocol.setCurrentText(DEMO_PROTOCOL)
            super().accept()
        elif choice.protocol == DETECT and BLUETOOTH_ADDRESS.fullmatch(choice.port):
            self.error.setText("Protocol: choose the Bluetooth profile of this device")
        elif choice.protocol == DETECT:
            self._start_detection(choice.port)
        else:
            super().accept()

    def _start_detection(self, port: str) -> None:
        if self._detector is not None:
            return
        self.error.setText(f"Detecting the protocol on {port}… (up to 10 s)")
        self.buttons.setEnabled(False)

        def work() -> None:
            try:
                found = self.detect(port)
            except Exception:  # noqa: BLE001 - reported as "nothing answered", never a crash
                found = None
            self.sig_detection_finished.emit(port, found)

        self._detector = threading.Thread(target=work, name="protocol detection", daemon=False)
        self._detector.start()

    def _detected(self, port: str, protocol: object) -> None:
        if self._detector is not None:
            self._detector.join()
            self._detector = None
        self.buttons.setEnabled(True)
        if protocol is None:
            self.error.setText(f"Device: no known oximeter protocol answered on {port} — check the "
                               "cable and that the oximeter is on, or choose the protocol")
            return
        self.protocol.setCurrentText(str(protocol))
        self.error.setText(f"Detected {protocol} on {port}")
        super().accept()

    def done(self, result: int) -> None:
        if self._detector is not None:  # closed while detecting: wait for the port to be let go
            self._detector.join()
            self._detector = None
        super().done(result)


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
#: Limits a clinician may leave off: the lowest value of the box reads "off" (None).
_OPTIONAL_FIELDS: list[tuple[str, str, tuple[int, int]]] = [
    ("spo2_high", "SpO2 hi&gh limit (%, on oxygen)", (80, 100)),
    ("spo2_critical", "SpO2 cr&itical limit (%)", (40, 98)),
    ("pr_critical_low", "Pulse critical low (/min)", (15, 199)),
    ("pr_critical_high", "Pulse critical high (/min)", (41, 350)),
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
        self.optional: dict[str, QSpinBox] = {}
        for field, label, (lo, hi) in _OPTIONAL_FIELDS:
            spin = QSpinBox()
            spin.setRange(lo - 1, hi)
            spin.setSpecialValueText("off")
            value = getattr(limits, field)
            spin.setValue(lo - 1 if value is None else value)
            self.optional[field] = named(spin, field.replace("_", " "))
            form.addRow(label, spin)
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
        data |= {f: None if box.value() == box.minimum() else box.value() for f, box in self.optional.items()}
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
