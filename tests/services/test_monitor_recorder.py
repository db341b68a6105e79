"""Recording: numerics once a second into day files via the real background writer,
alarm events, and the pleth 30 s either side of an alarm."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hms_desktop.domain.alarm_limits import AlarmLimits
from hms_desktop.domain.alarms import AlarmEngine
from hms_desktop.domain.monitoring import Bed
from hms_desktop.domain.readings import DeviceFlag, Reading
from hms_desktop.services.bus import EventBus
from hms_desktop.services.monitoring import MonitoringService
from hms_desktop.services.monitoring_recorder import MonitoringRecorder
from hms_desktop.services.writer import BackgroundWriter
from hms_desktop.storage import Store

T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC).timestamp()


@pytest.fixture
def setup(data_dir: Path) -> Iterator[tuple[MonitoringService, BackgroundWriter, MonitoringRecorder]]:
    store = Store(data_dir)
    svc = MonitoringService(store, EventBus())
    svc.add_beds([Bed(id="BED01", name="Bed 1")])
    writer = BackgroundWriter()
    rec = MonitoringRecorder(svc, writer.submit)
    yield svc, writer, rec
    writer.shutdown()
    store.close()


def batch(spo2: int | None, pr: int | None, n: int = 30, flags: frozenset[DeviceFlag] = frozenset()) -> list[Reading]:
    return [Reading(spo2=spo2, pulse_rate=pr, pleth=(i / n,), flags=flags) for i in range(n)]


def test_one_row_a_second_with_last_valid_values_and_flags(setup) -> None:  # type: ignore[no-untyped-def]
    svc, writer, rec = setup
    session = svc.start_session(bed_id="BED01", patient_id="PAT000007")
    rec.attach(session)
    rec.add_readings("BED01", T0 + 0.1, batch(97, 70))
    rec.add_readings("BED01", T0 + 0.6, batch(96, None))
    rec.add_readings("BED01", T0 + 1.2, batch(None, None, flags=frozenset({DeviceFlag.FINGER_OUT})))
    rec.flush(T0 + 1.5)  # second 0 complete, second 1 not yet
    writer.drain()
    rows = svc.data.vitals.read(datetime.fromtimestamp(T0 - 10, UTC), datetime.fromtimestamp(T0 + 10, UTC))
    assert [(r.spo2, r.pulse_rate, r.flags) for r in rows] == [(96, 70, [])]
    assert rows[0].patient_id == "PAT000007" and rows[0].session_id == session.id
    rec.detach("BED01", T0 + 1.6)
    writer.drain()
    rows = svc.data.vitals.read(datetime.fromtimestamp(T0 - 10, UTC), datetime.fromtimestamp(T0 + 10, UTC))
    assert [(r.spo2, r.flags) for r in rows] == [(96, []), (None, ["finger_out"])]


@pytest.mark.slow
def test_alarm_events_and_pleth_snapshot_around_the_alarm(setup) -> None:  # type: ignore[no-untyped-def]
    svc, writer, rec = setup
    session = svc.start_session(bed_id="BED01", patient_id="PAT000007")
    rec.attach(session)
    engine = AlarmEngine(AlarmLimits(satseconds=0, spo2_delay_s=5), source="BED01")
    t = T0
    alarm_at = None
    for step in range(0, 100 * 2):  # 100 s at 2 batches/s, 30 samples each = 60 Hz
        t = T0 + step * 0.5
        spo2 = 97 if step < 80 else 82  # desaturation from t=40 s
        rec.add_readings("BED01", t, batch(spo2, 70))
        trs = engine.feed(t, spo2, 70)
        if trs:
            alarm_at = alarm_at or trs[0].at
        rec.add_alarm_transitions("BED01", trs)
        if step % 2 == 0:
            rec.flush(t)
    writer.drain()
    assert alarm_at == T0 + 45
    history = svc.alarm_history(datetime.fromtimestamp(T0, UTC), datetime.fromtimestamp(T0 + 200, UTC))
    assert [(h.kind, h.priority, h.peak, h.ended_at) for h in history] == [("spo2_low", "high", 82.0, None)]
    snap = svc.pleth_snapshot(history[0].alarm_id, history[0].started_at)
    assert snap is not None and snap.patient_id == "PAT000007"
    assert snap.rate_hz == pytest.approx(60, rel=0.05)
    assert len(snap.samples) == pytest.approx(60 * 60, rel=0.05)
    assert abs(snap.at - datetime.fromtimestamp(alarm_at - 30, UTC)) < timedelta(seconds=1)
    rows = svc.data.vitals.read(datetime.fromtimestamp(T0, UTC), datetime.fromtimestamp(T0 + 200, UTC))
    assert len(rows) == 99 and rows[0].spo2 == 97 and rows[-1].spo2 == 82


def test_close_writes_everything_still_held(setup) -> None:  # type: ignore[no-untyped-def]
    svc, writer, rec = setup
    rec.attach(svc.start_session(bed_id="BED01", patient_id="PAT000001"))
    rec.add_readings("BED01", T0, batch(95, 60))
    rec.close(T0 + 0.2)
    writer.drain()
    rows = svc.data.vitals.read(datetime.fromtimestamp(T0 - 1, UTC), datetime.fromtimestamp(T0 + 1, UTC))
    assert [r.spo2 for r in rows] == [95]


def test_heart_rate_wearable_is_recorded_as_pulse_rate(setup) -> None:  # type: ignore[no-untyped-def]
    svc, writer, rec = setup
    rec.attach(svc.start_session(bed_id="BED01", patient_id="PAT000003"))
    rec.add_readings("BED01", T0, [Reading(heart_rate=64)])
    rec.close(T0 + 0.5)
    writer.drain()
    rows = svc.data.vitals.read(datetime.fromtimestamp(T0 - 1, UTC), datetime.fromtimestamp(T0 + 1, UTC))
    assert [(r.spo2, r.pulse_rate) for r in rows] == [(None, 64)]


def test_a_wearable_reader_feeds_the_patients_wearable_record(data_dir: Path) -> None:
    """The plain-text wearable protocol (HR, SpO2, steps, glucose, temperature) lands in the
    patient's wearable readings once a second; an oximeter's frames do not."""
    from hms_desktop.services.container import build_services

    store = Store(data_dir)
    services = build_services(store)
    services.monitoring.add_beds([Bed(id="BED01", name="Bed 1"), Bed(id="BED02", name="Bed 2")])
    wrist = services.monitoring.start_session(bed_id="BED01", patient_id="PAT000001", port="/dev/rfcomm0",
                                              protocol="text")
    finger = services.monitoring.start_session(bed_id="BED02", patient_id="PAT000002", port="/dev/ttyUSB0",
                                               protocol="cms50-legacy")
    rec = MonitoringRecorder(services.monitoring, lambda fn, *a, **k: fn(*a, **k), services.wearables)
    rec.attach(wrist)
    rec.attach(finger)
    rec.add_readings("BED01", T0 + 0.2, [Reading(heart_rate=72, spo2=98, steps=1200, glucose_mmol_l=5.4,
                                                 temperature_c=36.8)])
    rec.add_readings("BED02", T0 + 0.2, batch(97, 70))
    rec.flush(T0 + 1.5)
    day = datetime.fromtimestamp(T0, UTC).date()
    (reading,) = services.wearables.readings_for("PAT000001", day, day)
    assert (reading.heart_rate, reading.spo2, reading.steps, reading.glucose_mmol_l, reading.temperature_c) == (
        72, 98, 1200, 5.4, 36.8)
    assert reading.device_id == "/dev/rfcomm0"
    assert services.wearables.readings_for("PAT000002", day, day) == []
    store.close()
