"""The station watchdog's rules on fake time (issue 11 item 6): frozen after 5 s without a
heartbeat while beds are monitored, stopped when the app goes without a goodbye."""

from __future__ import annotations

from hms_desktop.monitoring.watchdog import Condition, WatchdogState


def test_no_beat_for_5_s_with_beds_monitored_is_frozen_and_a_beat_clears_it() -> None:
    s = WatchdogState(started_at=100.0)
    s.on_line("beds 2", 100.0)
    s.on_line("beat", 101.0)
    assert s.check(106.0) is None  # exactly 5 s: not yet
    assert s.check(106.1) is Condition.FROZEN
    title, advice = s.message(106.1)
    assert title == "Monitoring display frozen" and "2 bed(s)" in advice
    s.on_line("beat", 109.0)
    assert s.check(109.0) is None


def test_no_beds_no_alarm_however_long_the_silence() -> None:
    s = WatchdogState(started_at=0.0)
    s.on_line("beds 0", 0.0)
    assert s.check(3600.0) is None
    s.on_closed()
    assert s.check(3600.0) is None and s.finished


def test_app_gone_without_goodbye_is_stopped_and_stays() -> None:
    s = WatchdogState(started_at=0.0)
    s.on_line("beds 1", 0.0)
    s.on_closed()
    assert s.check(0.5) is Condition.STOPPED
    s.on_line("beat", 1.0)  # nothing can clear it but an acknowledgement
    assert s.check(1.0) is Condition.STOPPED and not s.finished


def test_a_goodbye_ends_the_watch_without_alarm() -> None:
    s = WatchdogState(started_at=0.0)
    s.on_line("beds 3", 0.0)
    s.on_line("bye", 1.0)
    s.on_closed()
    assert s.check(60.0) is None and s.finished


def test_garbage_lines_are_ignored() -> None:
    s = WatchdogState(started_at=0.0)
    s.on_line("beds many", 0.0)
    s.on_line("\x00\xff", 0.0)
    assert s.beds == 0 and s.check(100.0) is None
