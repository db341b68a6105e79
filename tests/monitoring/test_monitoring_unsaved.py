"""The core on fake time: a session that cannot be saved (a read-only folder) is monitored all
the same — numerics, alarm onset on time, tones — without recording; a rule refusal (the bed is
already monitored) still starts nothing."""

from __future__ import annotations

from pathlib import Path

from hms_desktop.domain.alarm_limits import AlarmKind, AlarmLimits, Priority
from hms_desktop.domain.monitoring import Bed
from hms_desktop.monitoring.clock import FakeClock
from hms_desktop.monitoring.sound import RecordingSound
from hms_desktop.monitoring.station import MonitoringStation, NullListener
from hms_desktop.services.bus import EventBus
from hms_desktop.services.monitoring import MonitoringService
from hms_desktop.storage import Store
from tests.monitoring.helpers import ManualSource, sync_run

LIMITS = AlarmLimits(satseconds=0, spo2_delay_s=10)


class Said(NullListener):
    def __init__(self) -> None:
        self.errors: list[str] = []

    def error_reported(self, message: str) -> None:
        self.errors.append(message)


def read_only_station(data_dir: Path) -> tuple[Store, MonitoringStation, FakeClock, RecordingSound, Said]:
    writable = Store(data_dir, actor="nurse.setup")
    service = MonitoringService(writable, EventBus())
    service.add_beds([Bed(id="BED01", name="Bed 1"), Bed(id="BED02", name="Bed 2", position=1)])
    service.set_limits("PAT000001", LIMITS)
    writable.close()
    store = Store(data_dir, actor="nurse.ro", read_only=True)  # every write raises ReadOnlyError
    clock, sound, said = FakeClock(), RecordingSound(), Said()
    station = MonitoringStation(MonitoringService(store, EventBus()), sync_run, sound=sound, clock=clock,
                                user="nurse.ro", listener=said, threaded=False)
    station.start()
    return store, station, clock, sound, said


def test_a_session_that_cannot_be_saved_is_monitored_and_alarms_on_time(data_dir: Path) -> None:
    store, station, clock, sound, said = read_only_station(data_dir)
    source = ManualSource()
    station.start_monitoring("BED01", "PAT000001", "/dev/ttyUSB0", "cms50-v7", source=source)
    mon = station.monitors["BED01"]
    assert mon.monitoring and source.started
    assert "opened read-only on request" in mon.not_saved
    assert said.errors == [f"Bed 1 is monitored but NOT SAVED (no session, no recording): {mon.not_saved}"]
    fault = mon.engine.alarm(AlarmKind.RECORDING_FAILED)
    assert fault is not None and "session not saved" in fault.text
    assert mon.engine.limits.spo2_delay_s == 10  # the patient's own limits, read from the folder

    station.acknowledge("BED01", AlarmKind.RECORDING_FAILED)
    sound.played.clear()
    for second in range(12):
        clock.advance(1.0)
        source.send(80, 72)
        station.tick()
        if second < 9:
            assert mon.engine.alarm(AlarmKind.SPO2_LOW) is None
    alarm = mon.engine.alarm(AlarmKind.SPO2_LOW)
    assert alarm is not None and alarm.priority is Priority.HIGH
    assert Priority.HIGH in sound.played
    assert station.recorder._beds == {}  # nothing recorded for a session that is nowhere on disk

    station.end_monitoring("BED01")
    assert mon.session is None and mon.not_saved == ""
    station.stop()
    store.close()


def test_a_bed_already_monitored_unsaved_refuses_a_second_session(data_dir: Path) -> None:
    store, station, _clock, _sound, said = read_only_station(data_dir)
    first, second = ManualSource(), ManualSource()
    station.start_monitoring("BED01", "PAT000001", "/dev/ttyUSB0", "cms50-v7", source=first)
    station.start_monitoring("BED01", "PAT000002", "/dev/ttyUSB1", "cms50-v7", source=second)
    assert station.monitors["BED01"].patient_id == "PAT000001" and not second.started
    assert said.errors[-1] == "bed: Bed 1 is already monitoring PAT000001; end it first"
    station.stop()
    store.close()


def test_a_rule_refusal_is_not_turned_into_unsaved_monitoring(data_dir: Path) -> None:
    store = Store(data_dir, actor="nurse")
    service = MonitoringService(store, EventBus())
    service.add_beds([Bed(id="BED01", name="Bed 1")])
    service.start_session(bed_id="BED01", patient_id="PAT000001")  # live on disk, not adopted yet
    said = Said()
    station = MonitoringStation(service, sync_run, sound=RecordingSound(), clock=FakeClock(), listener=said,
                                threaded=False)
    station.monitors.clear()  # as a station built before that session was saved elsewhere
    station.reload_beds()
    station.monitors["BED01"].session = None
    source = ManualSource()
    station.start_monitoring("BED01", "PAT000002", "/dev/ttyUSB0", "cms50-v7", source=source)
    assert not source.started and station.monitors["BED01"].not_saved == ""
    assert "already monitoring PAT000001" in said.errors[-1]
    store.close()
