"""Nurse station end to end with synthetic oximeters: tiles, alarms, sound, pause, recording."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QTableWidget

from hms_desktop.devices.sources import SyntheticOximeter
from hms_desktop.domain.alarm_limits import AlarmKind, AlarmLimits, Priority
from hms_desktop.domain.readings import DeviceFlag
from hms_desktop.ui.monitor.station_view import StationView
from tests.ui.monitor_helpers import make_station

FAST = AlarmLimits(satseconds=0, spo2_delay_s=1, pr_delay_s=1, technical_delay_s=1, clear_after_s=1)


@pytest.fixture
def station(qtbot, data_dir: Path) -> Iterator[tuple]:  # type: ignore[no-untyped-def,type-arg]
    store, service, controller, sound = make_station(data_dir)
    service.set_limits("PAT000001", FAST)
    view = StationView(controller)
    qtbot.addWidget(view)
    controller.start()
    view.show()
    yield service, controller, sound, view
    controller.stop()
    store.close()


def find(view, cls, name):  # type: ignore[no-untyped-def]
    w = next((w for w in view.findChildren(cls) if w.accessibleName() == name), None)
    assert w is not None, f"no {cls.__name__} named {name!r}"
    return w


def start(controller, bed="BED01", patient="PAT000001", **kw) -> SyntheticOximeter:  # type: ignore[no-untyped-def]
    src = SyntheticOximeter(**kw)
    controller.start_monitoring(bed, patient, "synthetic", "cms50-v7", source=src)
    return src


def test_tiles_show_live_numbers_and_a_sweeping_pleth(qtbot, station) -> None:  # type: ignore[no-untyped-def]
    service, controller, sound, view = station
    assert [t.accessibleName() for t in view.tiles.values()] == ["bed tile BED01", "bed tile BED02", "bed tile BED03"]
    start(controller, spo2=96, pulse_rate=64)
    spo2 = find(view, QLabel, "BED01 SpO2")
    qtbot.waitUntil(lambda: spo2.text() == "SpO2 96", timeout=3000)
    assert find(view, QLabel, "BED01 pulse rate").text() == "PR 64"
    assert find(view, QLabel, "BED01 patient").text() == "PAT000001"
    assert find(view, QLabel, "BED02 alarm state").text() == "not monitoring"
    pleth = view.tiles["BED01"].pleth
    qtbot.waitUntil(lambda: np.isfinite(pleth.trace()[1]).sum() > 30, timeout=3000)
    assert controller.frames > 5


@pytest.mark.slow
def test_desaturation_raises_high_alarm_within_delay_plus_one_second(qtbot, station) -> None:  # type: ignore[no-untyped-def]
    service, controller, sound, view = station
    src = start(controller)
    qtbot.waitUntil(lambda: controller.monitors["BED01"].numerics.spo2 == 97, timeout=3000)
    src.spo2 = 82
    t0 = controller.clock()
    qtbot.waitUntil(lambda: controller.monitors["BED01"].engine.alarm(AlarmKind.SPO2_LOW) is not None,
                    timeout=3000)
    assert controller.clock() - t0 <= FAST.spo2_delay_s + 1.0
    assert sound.played[-1] is Priority.HIGH
    live = find(view, QTableWidget, "live alarms")
    assert live.item(0, 0).text().startswith("*** SpO2 low") and "not acknowledged" in live.item(0, 0).text()
    tile = view.tiles["BED01"]
    qtbot.waitUntil(lambda: tile.flashing_style != "", timeout=2000)
    assert tile.grab().toImage().pixelColor(3, tile.height() // 2).name() == "#d32f2f"  # high = red
    qtbot.waitUntil(lambda: tile.flashing_style == "", timeout=2000)  # it flashes, not steady
    assert tile.grab().toImage().pixelColor(3, tile.height() // 2).name() != "#d32f2f"
    # acknowledge from the list: visual stays, audio stops repeating
    live.selectRow(0)
    qtbot.mouseClick(find(view, QPushButton, "acknowledge selected alarm"), Qt.MouseButton.LeftButton)
    assert "acknowledged by nurse.test at " in live.item(0, 0).text()
    assert controller.highest_priority(unacknowledged_only=True) is None
    n = len(sound.played)
    controller.core.tick()  # one evaluation step now, as the station's thread runs 4 times a second
    assert len(sound.played) == n
    # That it stays silent past the 5 s repeat is checked on fake time in
    # tests/monitoring/test_monitoring_scenarios.py (an acknowledged alarm stays silent).


@pytest.mark.slow
def test_finger_out_during_a_spo2_alarm_hands_over_at_high_priority(qtbot, station) -> None:  # type: ignore[no-untyped-def]
    service, controller, sound, view = station
    src = start(controller, spo2=80)
    mon = controller.monitors["BED01"]
    qtbot.waitUntil(lambda: mon.engine.alarm(AlarmKind.SPO2_LOW) is not None, timeout=3000)
    src.flags = frozenset({DeviceFlag.FINGER_OUT})
    qtbot.waitUntil(lambda: mon.engine.alarm(AlarmKind.FINGER_OUT) is not None, timeout=3000)
    assert mon.engine.alarm(AlarmKind.SPO2_LOW) is None
    # IEC 60601-1-8 hand-over: the high SpO2 alarm's priority carries over, never lower
    assert find(view, QLabel, "BED01 alarm state").text() == "*** Finger out"
    assert find(view, QLabel, "BED01 SpO2").text() == "SpO2 ---"


@pytest.mark.slow
def test_stalled_device_raises_no_data(qtbot, station) -> None:  # type: ignore[no-untyped-def]
    service, controller, sound, view = station
    src = start(controller)
    mon = controller.monitors["BED01"]
    qtbot.waitUntil(lambda: mon.numerics.spo2 == 97, timeout=3000)
    src.stall()
    qtbot.waitUntil(lambda: mon.engine.alarm(AlarmKind.NO_DATA) is not None, timeout=3000)
    assert mon.engine.alarm(AlarmKind.NO_DATA).priority is Priority.MEDIUM


@pytest.mark.slow
def test_audio_pause_counts_down_and_keeps_visual_alarms(qtbot, station) -> None:  # type: ignore[no-untyped-def]
    service, controller, sound, view = station
    start(controller, spo2=80)
    qtbot.waitUntil(lambda: controller.highest_priority() is Priority.HIGH, timeout=3000)
    pause = find(view, QPushButton, "audio pause")
    qtbot.mouseClick(pause, Qt.MouseButton.LeftButton)
    countdown = find(view, QLabel, "audio pause countdown")
    assert countdown.text().startswith("Audio paused — 2:00")
    n = len(sound.played)
    qtbot.waitUntil(lambda: "1:59" in countdown.text(), timeout=2500)
    assert len(sound.played) == n and sound.stops >= 1
    assert controller.highest_priority() is Priority.HIGH  # visual alarm still there
    qtbot.mouseClick(pause, Qt.MouseButton.LeftButton)  # resume
    assert countdown.text() == ""


@pytest.mark.slow
def test_numerics_day_file_holds_the_sent_values(qtbot, station) -> None:  # type: ignore[no-untyped-def]
    service, controller, sound, view = station
    src = start(controller, spo2=95, pulse_rate=88)

    def recorded() -> list:  # type: ignore[type-arg]
        now = datetime.now(UTC)
        return service.data.vitals.read(now - timedelta(minutes=1), now + timedelta(minutes=1))

    qtbot.waitUntil(lambda: any(r.spo2 == 95 for r in recorded()), timeout=5000)  # flushed once a second
    src.spo2 = 93
    qtbot.waitUntil(lambda: recorded()[-1].spo2 == 93, timeout=5000)
    controller.end_monitoring("BED01")
    rows = recorded()
    assert rows and {r.patient_id for r in rows} == {"PAT000001"}
    values = [r.spo2 for r in rows]
    assert 95 in values and values[-1] == 93 and {r.pulse_rate for r in rows} == {88}
    session = service.sessions_for("PAT000001")[0]
    assert session.status == "ended" and session.ended_at is not None


def test_click_opens_bed_view_and_escape_returns(qtbot, station) -> None:  # type: ignore[no-untyped-def]
    service, controller, sound, view = station
    start(controller, spo2=94)
    qtbot.mouseClick(view.tiles["BED01"], Qt.MouseButton.LeftButton)
    assert view.stack.currentWidget() is view.bed_scroll
    big = find(view, QLabel, "SpO2 value")
    qtbot.waitUntil(lambda: big.text() == "94", timeout=3000)
    assert find(view, QLabel, "SpO2 limits").text() == "low 90"
    qtbot.keyClick(view.bed_view, Qt.Key.Key_Escape)
    assert view.stack.currentWidget() is view.grid_scroll
    view.tiles["BED02"].setFocus()
    qtbot.keyClick(view.tiles["BED02"], Qt.Key.Key_Return)
    assert view.bed_view.monitor is controller.monitors["BED02"]


def test_no_audio_output_is_a_visible_technical_alarm(qtbot, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    store, service, controller, sound = make_station(data_dir, audio=False)
    view = StationView(controller)
    qtbot.addWidget(view)
    controller.start()
    assert find(view, QLabel, "audio state").text() == "* Audible alarms unavailable"
    live = find(view, QTableWidget, "live alarms")
    assert live.item(0, 0).text().startswith("* Audible alarms unavailable — Station")
    controller.stop()
    store.close()
