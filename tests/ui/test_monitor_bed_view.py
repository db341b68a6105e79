"""Bed view controls and the saved pleth viewed from the alarm history."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from hms_desktop.devices.sources import SyntheticOximeter
from hms_desktop.domain.alarm_limits import AlarmKind, AlarmLimits
from hms_desktop.domain.monitoring import SessionStatus
from hms_desktop.monitoring.clock import FakeClock
from hms_desktop.ui.monitor.snapshot_dialog import SnapshotDialog
from hms_desktop.ui.monitor.station_view import StationView
from tests.ui.monitor_helpers import make_station


def test_pause_stops_alarms_and_recording_resume_restarts(qtbot, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    store, service, controller, _sound = make_station(data_dir, beds=1)
    service.set_limits("PAT000001", AlarmLimits(satseconds=0, spo2_delay_s=0))
    view = StationView(controller)
    qtbot.addWidget(view)
    controller.start()
    src = SyntheticOximeter(spo2=85)
    controller.start_monitoring("BED01", "PAT000001", "synthetic", "cms50-v7", source=src)
    view.show_bed("BED01")
    bv = view.bed_view
    mon = controller.monitors["BED01"]
    qtbot.waitUntil(lambda: mon.engine.alarm(AlarmKind.SPO2_LOW) is not None, timeout=3000)
    assert "*** SpO2 low" in bv.banner.text()
    qtbot.mouseClick(bv.pause, Qt.MouseButton.LeftButton)
    assert mon.engine.alarms == [] and bv.pause.text() == "Res&ume"
    assert service.live_session("BED01").status is SessionStatus.PAUSED
    paused_at = mon.numerics.at
    qtbot.waitUntil(lambda: mon.numerics.at > paused_at, timeout=3000)  # low values arrived while paused
    controller.core.tick()  # and one evaluation step ran on them (delay 0: it would alarm now)
    assert mon.engine.alarms == []  # low values while paused never alarm
    qtbot.mouseClick(bv.pause, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: mon.engine.alarm(AlarmKind.SPO2_LOW) is not None, timeout=3000)
    assert service.live_session("BED01").status is SessionStatus.ACTIVE
    qtbot.mouseClick(bv.end, Qt.MouseButton.LeftButton)
    assert service.live_session("BED01") is None and bv.connect_button.isEnabled()
    controller.stop()
    store.close()


@pytest.mark.slow
def test_alarm_history_opens_the_saved_pleth(qtbot, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    clock = FakeClock()
    store, service, controller, _sound = make_station(data_dir, beds=1, clock=clock, threaded=False)
    service.set_limits("PAT000001", AlarmLimits(satseconds=0, spo2_delay_s=0))
    view = StationView(controller)
    qtbot.addWidget(view)
    controller.start()
    src = SyntheticOximeter(spo2=97)
    controller.start_monitoring("BED01", "PAT000001", "synthetic", "cms50-v7", source=src)
    src._timer.stop()  # batches are sent by hand below, on a simulated clock
    for step in range(70 * 30):  # 70 s at 30 batches/s; desaturation at 35 s
        clock.advance(1 / 30)
        src.spo2 = 97 if step < 35 * 30 else 84
        src.sig_readings_received.emit(src.make_batch(2))
        if step % 30 == 0:
            controller.recorder.flush(clock.wall())
    controller.recorder.flush(clock.wall())
    alarms = view.alarm_list
    alarms.refresh_history()
    assert alarms.history.rowCount() == 1 and "SpO2 low" in alarms.history.item(0, 0).text()
    assert alarms.history.columnCount() == 1  # readable in the narrow panel, no sideways scrolling
    text = alarms.history.item(0, 0).text()
    assert text.startswith("*** SpO2 low (peak 84)") and "PAT000001" in text and "not acknowledged" in text
    alarms.history.selectRow(0)
    qtbot.mouseClick(alarms.show_pleth, Qt.MouseButton.LeftButton)
    dialog = next(d for d in view.findChildren(SnapshotDialog))
    qtbot.addWidget(dialog)
    assert 3400 <= dialog.samples <= 3800  # ~60 s at 60 Hz around the onset
    caption = next(w for w in dialog.findChildren(QLabel) if w.accessibleName() == "snapshot caption")
    assert "patient PAT000001" in caption.text()
    controller.stop()
    store.close()


def test_a_session_left_active_is_reopened_or_alarms_after_restart(qtbot, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    store, service, controller, _sound = make_station(data_dir, beds=2)
    service.set_limits("PAT000001", AlarmLimits(technical_delay_s=0))
    service.start_session(bed_id="BED01", patient_id="PAT000001", port="/dev/gone", protocol="cms50-v7")
    service.start_session(bed_id="BED02", patient_id="PAT000002", port="/dev/here", protocol="cms50-v7")
    opened: list[str] = []

    def open_source(port: str, protocol: str) -> SyntheticOximeter:
        if port == "/dev/gone":
            raise OSError("no such device")
        opened.append(port)
        return SyntheticOximeter(spo2=96)

    controller.open_source = open_source
    errors: list[str] = []
    controller.sig_error_reported.connect(errors.append)
    controller.start()
    assert opened == ["/dev/here"]
    assert errors == ["BED01: could not reopen /dev/gone: no such device"]
    assert controller.monitors["BED01"].engine.alarm(AlarmKind.DEVICE_UNPLUGGED) is not None
    qtbot.waitUntil(lambda: controller.monitors["BED02"].numerics.spo2 == 96, timeout=3000)
    controller.stop()
    store.close()
