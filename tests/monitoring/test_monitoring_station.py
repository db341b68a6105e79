"""The monitoring core on fake time: no Qt, a real data folder, a hand-driven device."""

from __future__ import annotations

from pathlib import Path

from hms_desktop.domain.alarm_limits import AlarmKind, AlarmLimits
from tests.monitoring.helpers import ManualSource, make_core


def test_a_sustained_pulse_alarm_starts_after_its_delay_on_fake_time(data_dir: Path) -> None:
    store, service, station, clock, sound = make_core(data_dir, threaded=False)
    service.set_limits("PAT000001", AlarmLimits(pr_high=120, pr_delay_s=10))
    station.start()
    src = ManualSource()
    station.start_monitoring("BED01", "PAT000001", "synthetic", "cms50-v7", source=src)
    engine = station.monitors["BED01"].engine
    for _ in range(10):  # 150 /min from t = 0 to t = 9: still inside the 10 s delay
        src.send(97, 150)
        station.tick()
        clock.advance(1.0)
    assert engine.alarm(AlarmKind.PR_HIGH) is None
    src.send(97, 150)  # t = 10
    assert engine.alarm(AlarmKind.PR_HIGH) is not None
    station.stop()
    store.close()


def test_a_thermometer_alone_is_not_an_oximeter_without_valid_values(data_dir: Path) -> None:
    from hms_desktop.domain.readings import Reading

    store, service, station, clock, _sound = make_core(data_dir, threaded=False)
    station.start()
    src = ManualSource()
    station.start_monitoring("BED01", "PAT000001", "synthetic", "text", source=src)
    for _ in range(40):
        src.sig_readings_received.emit((Reading(temperature_c=37.1),))
        station.tick()
        clock.advance(1.0)
    assert station.monitors["BED01"].engine.alarms == []
    src.send(None, None)  # an oximeter frame with nothing valid does count
    for _ in range(12):
        src.send(None, None)
        station.tick()
        clock.advance(1.0)
    assert station.monitors["BED01"].engine.alarm(AlarmKind.NO_VALID_READING) is not None
    station.stop()
    store.close()


def test_an_impossible_recorded_value_costs_one_second_never_the_bed(data_dir: Path) -> None:
    """The issue's bit flip: SpO2 113 once, then a desaturation to 80 %. The bed keeps
    recording, says what it lost, and the desaturation alarms on time."""
    store, service, station, clock, _sound = make_core(data_dir, threaded=False)
    station.start()
    src = ManualSource()
    station.start_monitoring("BED01", "PAT000001", "synthetic", "cms50-v7", source=src)
    engine = station.monitors["BED01"].engine
    for second in range(40):
        spo2 = 113 if second == 5 else (97 if second < 10 else 80)
        src.send(spo2, 75)
        station.tick()
        clock.advance(1.0)
    fault = engine.alarm(AlarmKind.RECORDING_FAILED)
    assert fault is not None and fault.text == "** Recording failed on Bed 1 — a second of vitals not recorded (spo2 impossible)"
    alarm = engine.alarm(AlarmKind.SPO2_LOW)
    assert alarm is not None and alarm.started_at - 1000.0 <= 10 + 2.5 + 1.0  # 10 points/s: 25 after 2.5 s
    station.stop()
    from datetime import UTC, datetime, timedelta

    rows = service.data.vitals.read(datetime.now(UTC) - timedelta(hours=1), datetime.now(UTC) + timedelta(hours=1))
    assert len(rows) >= 38 and rows[-1].spo2 == 80  # every other second was recorded, up to the end
    store.close()


def test_views_are_told_after_the_station_lock_is_released(data_dir: Path) -> None:
    """A view that hangs in a notification (a rebuild stuck inside Qt) must not hold up the
    evaluator or the readers: no listener call happens with the station's lock held."""
    import threading

    from hms_desktop.monitoring.station import NullListener

    held: list[bool] = []

    class Probe(NullListener):
        def _check(self) -> None:
            got: list[bool] = []

            def try_lock() -> None:
                got.append(station._lock.acquire(timeout=2))
                if got[0]:
                    station._lock.release()

            other = threading.Thread(target=try_lock)
            other.start()
            other.join()
            held.append(not got[0])

        def beds_changed(self) -> None:
            self._check()

        def alarms_changed(self) -> None:
            self._check()

    store, service, station, clock, _sound = make_core(data_dir, threaded=False, listener=Probe())
    service.set_limits("PAT000001", AlarmLimits(pr_delay_s=0))
    station.start()
    src = ManualSource()
    station.start_monitoring("BED01", "PAT000001", "synthetic", "cms50-v7", source=src)
    src.send(97, 150)
    station.acknowledge("BED01", AlarmKind.PR_HIGH)
    station.tick()
    station.stop()
    store.close()
    assert len(held) >= 4 and not any(held)
