"""Start-monitoring and alarm-limits dialogs: field-named errors, nothing accepted when invalid."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog

from hms_desktop.devices.sources import DEMO_PORT
from hms_desktop.domain.alarm_limits import AlarmLimits
from hms_desktop.ui.monitor.dialogs import ConnectChoice, ConnectDialog, LimitsDialog


def test_connect_dialog_requires_a_patient_id(qtbot) -> None:  # type: ignore[no-untyped-def]
    dlg = ConnectDialog(["BED01", "BED02"], bed="BED02")
    qtbot.addWidget(dlg)
    assert dlg.bed.currentText() == "BED02"
    assert dlg.port.findText(DEMO_PORT) >= 0
    assert dlg.port.currentText() == ""  # no preselected port (it was /dev/ttyS0)
    dlg.accept()
    assert dlg.error.text() == "Device: choose or type a port"
    dlg.port.setCurrentText(DEMO_PORT)
    dlg.patient.setText("smith")
    dlg.accept()
    assert dlg.result() != QDialog.DialogCode.Accepted
    assert dlg.error.text().startswith("Patient: SMITH is not a patient id")
    dlg.patient.setText("pat000042")
    dlg.accept()
    assert dlg.result() == QDialog.DialogCode.Accepted
    assert dlg.values() == ConnectChoice("BED02", DEMO_PORT, "cms50-v7", "PAT000042")


def test_limits_dialog_refuses_crossed_pulse_limits_and_saves_valid_ones(qtbot) -> None:  # type: ignore[no-untyped-def]
    dlg = LimitsDialog("PAT000001", AlarmLimits())
    qtbot.addWidget(dlg)
    dlg.inputs["pr_low"].setValue(130)
    dlg.accept()
    assert dlg.result_limits is None and "pr_low (130) must be below pr_high (120)" in dlg.error.text()
    dlg.inputs["pr_low"].setValue(45)
    dlg.inputs["spo2_low"].setValue(88)
    dlg.satseconds.setCurrentIndex(3)
    dlg.latching.setChecked(True)
    dlg.accept()
    lim = dlg.result_limits
    assert lim is not None
    assert (lim.id, lim.pr_low, lim.spo2_low, lim.satseconds, lim.latching) == ("PAT000001", 45, 88, 50, True)
