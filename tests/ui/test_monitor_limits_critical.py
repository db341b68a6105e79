"""Critical limits and the SpO2-high limit are set by a clinician in the alarm-limits dialog."""

from __future__ import annotations

from PySide6.QtWidgets import QSpinBox

from hms_desktop.domain.alarm_limits import AlarmLimits
from hms_desktop.ui.monitor.dialogs import LimitsDialog


def box(dlg: LimitsDialog, name: str) -> QSpinBox:
    found = next(w for w in dlg.findChildren(QSpinBox) if w.accessibleName() == name)
    assert isinstance(found, QSpinBox)
    return found


def test_critical_and_spo2_high_limits_are_set_turned_off_and_checked(qtbot) -> None:  # type: ignore[no-untyped-def]
    dlg = LimitsDialog("PAT000001", AlarmLimits())
    qtbot.addWidget(dlg)
    assert box(dlg, "spo2 critical").value() == 85 and box(dlg, "spo2 high").text() == "off"
    box(dlg, "spo2 high").setValue(96)
    box(dlg, "pr critical high").setValue(110)  # not beyond the 120 high limit
    dlg.accept()
    assert dlg.result_limits is None and "pr_critical_high (110) must be above pr_high (120)" in dlg.error.text()
    box(dlg, "pr critical high").setValue(box(dlg, "pr critical high").minimum())  # off
    box(dlg, "spo2 critical").setValue(80)
    dlg.accept()
    lim = dlg.result_limits
    assert lim is not None
    assert (lim.spo2_high, lim.spo2_critical, lim.pr_critical_high, lim.pr_critical_low) == (96, 80, None, 40)
