"""Audio pause on the nurse station covers only the alarms sounding when it was pressed: a
new alarm on another bed sounds at once, and the countdown says so (IEC 60601-1-8)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from hms_desktop.devices.sources import SyntheticOximeter
from hms_desktop.domain.alarm_limits import AlarmKind, AlarmLimits, Priority
from hms_desktop.ui.monitor.station_view import StationView
from tests.ui.monitor_helpers import make_station

FAST = AlarmLimits(satseconds=0, spo2_delay_s=1, pr_delay_s=1)


def named(view: StationView, cls: type, name: str):  # type: ignore[no-untyped-def]
    return next(w for w in view.findChildren(cls) if w.accessibleName() == name)


@pytest.mark.slow
def test_a_new_alarm_during_audio_pause_sounds_and_the_countdown_says_so(qtbot, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    store, service, controller, sound = make_station(data_dir, beds=2)
    for pid in ("PAT000001", "PAT000002"):
        service.set_limits(pid, FAST.model_copy(update={"id": pid}))
    view = StationView(controller)
    qtbot.addWidget(view)
    controller.start()
    view.show()
    try:
        controller.start_monitoring("BED01", "PAT000001", "synthetic", "cms50-v7", source=SyntheticOximeter(spo2=80))
        qtbot.waitUntil(lambda: Priority.HIGH in sound.played, timeout=4000)
        qtbot.mouseClick(named(view, QPushButton, "audio pause"), Qt.MouseButton.LeftButton)
        countdown = named(view, QLabel, "audio pause countdown")
        assert countdown.text().startswith("Audio paused — 2:00") and "NEW" not in countdown.text()
        controller.start_monitoring("BED02", "PAT000002", "synthetic", "cms50-v7",
                                    source=SyntheticOximeter(spo2=97, pulse_rate=150))
        qtbot.waitUntil(lambda: controller.monitors["BED02"].engine.alarm(AlarmKind.PR_HIGH) is not None,
                        timeout=4000)
        qtbot.waitUntil(lambda: sound.played[-1] is Priority.MEDIUM, timeout=2000)  # it sounds at once
        qtbot.waitUntil(lambda: "a NEW alarm is sounding" in countdown.text(), timeout=2000)
        assert controller.audio.remaining(controller.clock()) > 100  # the pause itself goes on
    finally:
        controller.stop()
        store.close()
