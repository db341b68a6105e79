"""Remote beds' alarms without the server: what the bedside's engine accepts from a nurse
station, what the station sounds, and its own "no data from <workstation>" alarm (fake time)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from hms_desktop.domain.alarm_limits import AlarmKind, AlarmLimits, Priority
from hms_desktop.domain.alarms import AlarmEngine
from hms_desktop.monitoring.remote import acknowledge_from_station, board_rows
from hms_desktop.services.remote_alarms import RemoteAlarmBoard
from hms_desktop.services.remote_beds import RemoteBed
from hms_desktop.storage.postgres.alarm_requests import AckRequest
from hms_desktop.storage.postgres.bed_board import BoardAlarm, BoardRow
from tests.monitoring.helpers import ManualSource, make_core

LIMITS = AlarmLimits(pr_delay_s=0.0)  # PR high 120 (medium), critical 150, escalation after 120 s


def pr_high_at(engine: AlarmEngine, t: float, pr: int) -> list[str]:
    return [tr.event.value for tr in engine.feed(t, 97, pr)]


def test_the_bedside_engine_acknowledges_only_the_alarm_the_station_saw() -> None:
    engine = AlarmEngine(LIMITS, source="BED01")
    pr_high_at(engine, 0.0, 130)
    seen = engine.alarm(AlarmKind.PR_HIGH)
    assert seen is not None and seen.priority is Priority.MEDIUM

    out, refused = engine.acknowledge_seen(1.0, AlarmKind.PR_HIGH, seen.alarm_id, Priority.HIGH, "nina from station-2")
    assert out == [] and "changed from high to medium priority" in refused

    out, refused = engine.acknowledge_seen(1.0, AlarmKind.PR_HIGH, seen.alarm_id, Priority.MEDIUM, "nina from station-2")
    assert refused == "" and [tr.event.value for tr in out] == ["acknowledged"]
    now = engine.alarm(AlarmKind.PR_HIGH)
    assert now is not None and now.acknowledged_by == "nina from station-2"

    out, refused = engine.acknowledge_seen(2.0, AlarmKind.PR_HIGH, seen.alarm_id, Priority.MEDIUM, "sam from station-3")
    assert out == [] and refused == "that Pulse rate high alarm was already acknowledged by nina from station-2"

    pr_high_at(engine, 3.0, 160)  # beyond the critical limit: re-alarmed as a new, high alarm
    again = engine.alarm(AlarmKind.PR_HIGH)
    assert again is not None and again.alarm_id != seen.alarm_id and not again.acknowledged
    out, refused = engine.acknowledge_seen(4.0, AlarmKind.PR_HIGH, seen.alarm_id, Priority.MEDIUM, "nina from station-2")
    assert out == [] and "ended and a new one started" in refused
    assert not engine.alarm(AlarmKind.PR_HIGH).acknowledged  # type: ignore[union-attr]

    for second in range(5, 12):  # back in range long enough: it clears
        pr_high_at(engine, float(second), 72)
    assert engine.alarm(AlarmKind.PR_HIGH) is None
    out, refused = engine.acknowledge_seen(12.0, AlarmKind.PR_HIGH, again.alarm_id, Priority.HIGH, "nina from station-2")
    assert out == [] and refused == "that Pulse rate high alarm has ended"


def test_a_station_acknowledge_is_recorded_in_the_bedside_alarm_log(data_dir: Path) -> None:
    _store, service, station, clock, _sound = make_core(data_dir, threaded=False)
    service.set_limits("PAT000001", LIMITS.model_copy(update={"id": "PAT000001"}))
    source = ManualSource()
    station.start()
    station.start_monitoring("BED01", "PAT000001", "manual", "test", source=source)
    source.send(97, 130)
    (row,) = board_rows(station, "ward-pc")
    (shown,) = row.alarms
    assert (shown.kind, shown.priority, shown.acknowledged) == ("pr_high", "medium", False)

    apply = acknowledge_from_station(station)
    request = AckRequest("ward-pc", "BED01", shown.kind, shown.alarm_id, shown.priority, "nina", "station-2")
    assert apply(request) == ""
    assert apply(request) == "that Pulse rate high alarm was already acknowledged by nina from station-2"
    assert apply(AckRequest("ward-pc", "BED09", "pr_high", "x", "medium", "nina", "station-2")) == (
        "BED09 is not monitored on this workstation")
    (row,) = board_rows(station, "ward-pc")
    assert row.alarms[0].acknowledged_by == "nina from station-2" and row.unacknowledged == 0

    clock.advance(1.5)
    station.tick()  # the recorder's flush writes the alarm events
    station.stop()
    now = datetime.now(UTC)
    (record,) = service.alarm_history(now - timedelta(hours=1), now + timedelta(hours=1))
    assert (record.kind, record.acknowledged_by) == ("pr_high", "nina from station-2")


def test_the_station_sounds_remote_alarms_with_its_own_tones_until_acknowledged(data_dir: Path) -> None:
    _store, _service, station, clock, sound = make_core(data_dir, threaded=False)
    station.start()
    station.set_remote_alarms([("ward-pc/BED01-pr_high-1", Priority.HIGH)])
    assert sound.played == [Priority.HIGH]
    clock.advance(5.0)
    station.tick()
    assert sound.played == [Priority.HIGH, Priority.HIGH]  # high: a burst every 5 s, as a local alarm

    station.pause_audio(60)  # the station's audio pause covers the remote alarm too
    clock.advance(5.0)
    station.tick()
    assert sound.played == [Priority.HIGH, Priority.HIGH]
    station.resume_audio()
    assert sound.played == [Priority.HIGH] * 3

    station.set_remote_alarms([])  # acknowledged at the bedside (or from here)
    for _ in range(4):
        clock.advance(5.0)
        station.tick()
    assert sound.played == [Priority.HIGH] * 3
    station.stop()


def bed(workstation: str, *, stale: bool, alarms: tuple[BoardAlarm, ...] = (), age: float = 1.0) -> RemoteBed:
    row = BoardRow("BED01", "Bed 1", workstation, "PAT000001", "Ada Lovelace", "streaming", 97, 130, alarms=alarms)
    return RemoteBed(row, age, stale)


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_a_silent_bedside_raises_a_no_data_alarm_at_the_station_that_sounds_until_acknowledged_here() -> None:
    clock = Clock()
    board = RemoteAlarmBoard("station-2", clock=clock, wall=clock)
    high = BoardAlarm("BED01-spo2_low-1", "spo2_low", "high", "*** SpO2 low", 990.0)
    shown = board.update([bed("ward-pc", stale=False, alarms=(high,))])
    assert [a.alarm.text for a in shown] == ["*** SpO2 low"]
    assert board.sounding() == [("ward-pc/BED01-spo2_low-1", Priority.HIGH)]

    shown = board.update([bed("ward-pc", stale=True, alarms=(high,), age=7.0)])
    no_data = next(a for a in shown if a.at_station)
    # The bedside's last unacknowledged alarm was high: the no-data alarm is never softer.
    assert no_data.alarm.text == "*** Bed 1: no data from ward-pc for 7 s" and no_data.priority is Priority.HIGH
    assert board.sounding() == [(no_data.key, Priority.HIGH)]  # the stale SpO2 alarm is carried by it

    assert board.acknowledge_here(no_data, "nina")
    assert board.sounding() == []
    assert not board.acknowledge_here(no_data, "nina")  # once only
    shown = board.update([bed("ward-pc", stale=True, alarms=(high,), age=8.0)])
    assert next(a for a in shown if a.at_station).alarm.acknowledged_by == "nina"

    board.update([bed("ward-pc", stale=False)])  # data back: the no-data alarm ends
    shown = board.update([bed("ward-pc", stale=True, age=6.0)])
    again = next(a for a in shown if a.at_station)
    assert again.priority is Priority.MEDIUM and not again.alarm.acknowledged
    clock.t += 120.0  # unacknowledged medium for 120 s: high, like a bedside's
    shown = board.update([bed("ward-pc", stale=True, age=126.0)])
    assert next(a for a in shown if a.at_station).priority is Priority.HIGH


def test_the_station_does_not_sound_its_own_beds_twice() -> None:
    board = RemoteAlarmBoard("ward-pc")
    high = BoardAlarm("BED01-spo2_low-1", "spo2_low", "high", "*** SpO2 low", 990.0)
    shown = board.update([bed("ward-pc", stale=True, alarms=(high,))])
    assert [a.alarm.alarm_id for a in shown] == ["BED01-spo2_low-1"]  # shown, no no-data alarm of its own
    assert board.sounding() == []  # its monitoring core sounds it already
