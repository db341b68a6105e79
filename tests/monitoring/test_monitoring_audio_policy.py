"""Audio repeat cadence and audio pause, after IEC 60601-1-8: at most 2 minutes, covering only
the conditions active when it was pressed."""

from __future__ import annotations

import pytest

from hms_desktop.domain.alarm_limits import Priority
from hms_desktop.monitoring.audio_policy import AudioPolicy

HIGH_A = ("BED01-spo2_low-1", Priority.HIGH)
MEDIUM_B = ("BED02-pr_high-2", Priority.MEDIUM)


def test_repeat_cadence_by_priority() -> None:
    p = AudioPolicy()
    assert p.decide(0, [HIGH_A]) is Priority.HIGH
    assert p.decide(4.9, [HIGH_A]) is None
    assert p.decide(5.0, [HIGH_A]) is Priority.HIGH  # high: every 5 s
    assert p.decide(6, [MEDIUM_B]) is Priority.MEDIUM  # priority changed: sound at once
    assert p.decide(20, [MEDIUM_B]) is None
    assert p.decide(21, [MEDIUM_B]) is Priority.MEDIUM  # medium: every 15 s
    assert p.decide(22, []) is None
    low = ("STATION-audio_unavailable-3", Priority.LOW)
    assert p.decide(23, [low]) is Priority.LOW
    assert p.decide(60, [low]) is None  # low sounds once
    assert p.decide(61, [low, ("BED03-recording_failed-4", Priority.LOW)]) is Priority.LOW  # a new low


def test_pause_silences_the_conditions_it_covers_for_two_minutes_with_a_countdown() -> None:
    p = AudioPolicy()
    p.pause(100, [HIGH_A])
    assert p.remaining(130) == pytest.approx(90)
    assert p.decide(219, [HIGH_A]) is None
    assert p.remaining(220) == 0
    assert p.decide(220, [HIGH_A]) is Priority.HIGH


def test_a_new_condition_during_a_pause_sounds_at_once_and_says_so() -> None:
    p = AudioPolicy()
    p.pause(0, [HIGH_A])
    assert p.decide(10, [HIGH_A]) is None and not p.overridden
    assert p.decide(30, [HIGH_A, MEDIUM_B]) is Priority.MEDIUM  # another bed's new alarm
    assert p.overridden and p.remaining(30) == pytest.approx(90)


def test_a_rise_in_priority_of_a_covered_alarm_sounds_during_the_pause() -> None:
    p = AudioPolicy()
    p.pause(0, [MEDIUM_B])
    assert p.decide(10, [MEDIUM_B]) is None
    assert p.decide(20, [(MEDIUM_B[0], Priority.HIGH)]) is Priority.HIGH  # escalated


@pytest.mark.parametrize("seconds", [121, 180, 0])
def test_pause_longer_than_two_minutes_is_refused(seconds: float) -> None:
    with pytest.raises(ValueError, match="at most 2 minutes"):
        AudioPolicy().pause(0, [], seconds)
