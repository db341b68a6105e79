"""Fault injection: each stage fails in turn and a desaturation still alarms within its
delay + 1 s, with a technical alarm naming the failed part and the bed.

Real parts: a simulated oximeter on a pseudo-terminal, the real reader thread, the station
on the real monotonic clock with its evaluator thread, a real data folder. Only the failing
stage is replaced by one that raises.
"""

from __future__ import annotations

import errno
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel

from hms_desktop.devices.protocols import make_parser
from hms_desktop.devices.simulator import PtySimulator
from hms_desktop.devices.sources import DeviceSource
from hms_desktop.domain.alarm_limits import AlarmKind, AlarmLimits, Priority
from hms_desktop.domain.alarms import Alarm
from hms_desktop.services.monitoring import MonitoringService
from hms_desktop.ui.monitor.station_view import StationView
from tests.ui.monitor_helpers import make_station

DELAY_S = 3.0
LIMITS = AlarmLimits(satseconds=0, spo2_delay_s=DELAY_S)


class Bed:
    """One monitored bed on a simulated device, with the speaker's decisions timed."""

    def __init__(self, qtbot: Any, data_dir: Path, **kw: Any) -> None:
        self.store, self.service, self.controller, self.sound = make_station(data_dir, beds=1, **kw)
        self.service.set_limits("PAT000001", LIMITS)
        self.played: list[tuple[float, Priority]] = []
        self.play: Callable[[Priority], None] = lambda p: self.played.append((self.controller.clock(), p))
        self.sound.play = lambda p: self.play(p)  # type: ignore[method-assign]
        self.sim = PtySimulator("cms50-v7", spo2=97, pr=72)
        self.sim.start()
        self.qtbot = qtbot
        self.controller.start()
        self.controller.start_monitoring("BED01", "PAT000001", self.sim.port, "cms50-v7",
                                         source=DeviceSource(self.sim.port, "cms50-v7"))
        self.engine = self.controller.monitors["BED01"].engine
        qtbot.waitUntil(lambda: self.controller.monitors["BED01"].numerics.spo2 == 97, timeout=5000)

    def desaturate(self) -> float:
        t0 = self.controller.clock()
        self.sim.set_values(spo2=80)
        return t0

    def wait_alarm(self, kind: AlarmKind, timeout_s: float = 8.0) -> Alarm:
        self.qtbot.waitUntil(lambda: self.engine.alarm(kind) is not None
                             or self.controller.station_engine.alarm(kind) is not None, timeout=int(timeout_s * 1000))
        alarm = self.engine.alarm(kind) or self.controller.station_engine.alarm(kind)
        assert alarm is not None
        return alarm

    def close(self) -> None:
        self.controller.stop()
        self.sim.stop()
        self.store.close()


@pytest.fixture
def bed_factory(qtbot: Any, data_dir: Path) -> Iterator[Callable[..., Bed]]:
    made: list[Bed] = []

    def make(**kw: Any) -> Bed:
        made.append(Bed(qtbot, data_dir, **kw))
        return made[-1]

    yield make
    for bed in made:
        bed.close()


def assert_desaturation_alarms_in_time(bed: Bed, t0: float) -> Alarm:
    alarm = bed.wait_alarm(AlarmKind.SPO2_LOW)
    assert alarm.started_at - t0 <= DELAY_S + 1.0
    assert any(p is Priority.HIGH and t - t0 <= DELAY_S + 1.0 for t, p in bed.played)  # and it sounded
    return alarm


@pytest.mark.slow
def test_a_parser_that_raises_is_named_and_the_bed_still_alarms(bed_factory: Callable[..., Bed],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    parser_type = type(make_parser("cms50-v7"))
    real_feed = parser_type.feed
    calls = [0]

    def flaky_feed(self: Any, data: bytes) -> Any:
        calls[0] += 1
        if calls[0] % 4 == 0:
            raise IndexError("frame index out of range")
        return real_feed(self, data)

    monkeypatch.setattr(parser_type, "feed", flaky_feed)
    bed = bed_factory()
    t0 = bed.desaturate()
    assert_desaturation_alarms_in_time(bed, t0)
    fault = bed.wait_alarm(AlarmKind.DEVICE_FAULT)
    assert fault.text.startswith("** Device data failed on Bed 1 — parser cms50-v7 failed: IndexError")


@pytest.mark.slow
def test_a_recorder_that_raises_is_named_and_the_bed_still_alarms(bed_factory: Callable[..., Bed]) -> None:
    bed = bed_factory()

    def broken(*_a: Any, **_k: Any) -> None:
        raise RuntimeError("recorder broke")

    bed.controller.recorder.add_readings = broken  # type: ignore[method-assign]
    t0 = bed.desaturate()
    assert_desaturation_alarms_in_time(bed, t0)
    fault = bed.wait_alarm(AlarmKind.RECORDING_FAILED)
    assert fault.text == "** Recording failed on Bed 1 — RuntimeError: recorder broke"
    assert bed.controller.monitors["BED01"].numerics.spo2 == 80  # the display never froze


@pytest.mark.slow
def test_a_full_disk_is_named_retried_and_the_bed_still_alarms(bed_factory: Callable[..., Bed],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    real_record = MonitoringService.record_vitals
    disk_full = [True]

    def record(self: MonitoringService, rows: Any) -> None:
        if disk_full[0] and rows:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_record(self, rows)

    monkeypatch.setattr(MonitoringService, "record_vitals", record)
    bed = bed_factory()
    failed_from = time.time()
    t0 = bed.desaturate()
    assert_desaturation_alarms_in_time(bed, t0)
    fault = bed.wait_alarm(AlarmKind.RECORDING_FAILED)
    assert "on Bed 1 — saving failed: OSError" in fault.text and "No space left" in fault.text
    disk_full[0] = False  # space again: what was held is written on the next flush
    bed.qtbot.waitUntil(lambda: any(r.at.timestamp() < failed_from + 2 for r in _vitals(bed)), timeout=5000)


def _vitals(bed: Bed) -> list[Any]:
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    return bed.service.data.vitals.read(now - timedelta(minutes=5), now + timedelta(minutes=1))


@pytest.mark.slow
def test_a_speaker_that_fails_is_named_and_the_bed_still_alarms(bed_factory: Callable[..., Bed]) -> None:
    bed = bed_factory()
    attempts: list[float] = []

    def broken(priority: Priority) -> None:
        attempts.append(bed.controller.clock())
        raise OSError("audio device lost")

    bed.play = broken
    t0 = bed.desaturate()
    alarm = bed.wait_alarm(AlarmKind.SPO2_LOW)
    assert alarm.started_at - t0 <= DELAY_S + 1.0
    fault = bed.wait_alarm(AlarmKind.AUDIO_UNAVAILABLE)
    assert fault.text == "* Audible alarms unavailable — sound output failed: OSError: audio device lost"
    assert attempts and attempts[0] - t0 <= DELAY_S + 1.0  # it tried to sound in time...
    bed.qtbot.waitUntil(lambda: len(attempts) >= 3, timeout=3000)  # ...and keeps retrying


@pytest.mark.slow
def test_a_stalled_gui_thread_does_not_delay_the_alarm(qtbot: Any, bed_factory: Callable[..., Bed]) -> None:
    bed = bed_factory()
    view = StationView(bed.controller)
    qtbot.addWidget(view)
    stall: list[float] = []

    def sounded_high_since(start: float) -> bool:
        return any(p is Priority.HIGH and t > start for t, p in list(bed.played))

    def freeze() -> None:
        """The GUI thread is busy (a slow redraw, a modal dialog's layout...) until the alarm
        has sounded: if alarms needed the GUI thread, nothing would sound and the stall would
        end only at its limit, failing the test."""
        stall.append(bed.controller.clock())
        limit = time.monotonic() + DELAY_S + 5.0
        while not sounded_high_since(stall[0]) and time.monotonic() < limit:
            time.sleep(0.01)
        stall.append(bed.controller.clock())

    t0 = bed.desaturate()
    QTimer.singleShot(int((DELAY_S - 1.0) * 1000), freeze)  # the stall covers the alarm's onset
    qtbot.waitUntil(lambda: len(stall) == 2, timeout=10_000)
    alarm = bed.engine.alarm(AlarmKind.SPO2_LOW)
    assert alarm is not None and stall[0] < alarm.started_at < stall[1]  # decided during the stall
    assert alarm.started_at - t0 <= DELAY_S + 1.0
    assert any(p is Priority.HIGH and stall[0] < t < stall[1] for t, p in bed.played)
    # the display catches up once the GUI thread is free
    tile_state = next(w for w in view.findChildren(QLabel) if w.accessibleName() == "BED01 alarm state")
    qtbot.waitUntil(lambda: "SpO2 low" in tile_state.text(), timeout=3000)

