"""SatSeconds: integration below the limit, drain back in range, the 3-in-60 s safety net."""

from __future__ import annotations

import math

import pytest

from hms_desktop.domain.satseconds import SatSeconds


def run(sat: SatSeconds, values: list[int], start: float = 0.0) -> list[bool]:
    return [sat.update(start + i, v) for i, v in enumerate(values)]


@pytest.mark.parametrize("threshold", [10, 25, 50, 100])
def test_alarm_exactly_when_the_area_reaches_the_threshold(threshold: int) -> None:
    # 10 points below a 90 limit: each second adds 10 point-seconds.
    sat = SatSeconds(limit=90, threshold=threshold)
    flags = run(sat, [80] * 12)
    first = flags.index(True)
    assert first == math.ceil(threshold / 10)  # the first whole second the area reaches it
    assert sat.total == pytest.approx(10 * 11)


def test_shallow_brief_dip_does_not_alarm_at_25() -> None:
    sat = SatSeconds(limit=90, threshold=25)
    assert not any(run(sat, [88, 88, 88, 88, 95, 95]))  # 2 points x 3 s = 6
    assert sat.total < 25


def test_sum_drains_back_in_range_and_never_goes_negative() -> None:
    sat = SatSeconds(limit=90, threshold=100)
    run(sat, [80, 80, 80])  # 20 accumulated (the first sample has no interval before it)
    assert sat.total == pytest.approx(20)
    sat.update(3, 95)  # the second up to this sample was at 95: drains 6, never adds
    assert sat.total == pytest.approx(14)
    sat.update(4, 95)
    assert sat.total == pytest.approx(8)
    for i in range(5, 20):
        sat.update(i, 95)
    assert sat.total == 0.0


def test_three_violations_within_60s_alarm_even_with_a_small_sum() -> None:
    sat = SatSeconds(limit=90, threshold=100)
    assert not sat.update(0, 89)
    assert not sat.update(1, 92)
    assert not sat.update(20, 89)
    assert not sat.update(21, 92)
    assert sat.update(40, 89)  # third violation within 60 s, still below
    assert sat.total < 100
    assert not sat.update(41, 92)  # back in range: the safety net needs a live violation


def test_violations_older_than_60s_do_not_count() -> None:
    sat = SatSeconds(limit=90, threshold=100)
    for t in (0, 40):
        sat.update(t, 89)
        sat.update(t + 1, 92)
    assert not sat.update(70, 89)  # violation at t=0 fell out of the window
    assert sat.violations_in_window == 2


def test_reset_forgets_everything() -> None:
    sat = SatSeconds(limit=90, threshold=25)
    run(sat, [80] * 5)
    assert sat.condition
    sat.reset()
    assert not sat.condition and sat.total == 0 and sat.violations_in_window == 0


def test_a_gap_between_samples_adds_at_most_five_seconds() -> None:
    sat = SatSeconds(limit=90, threshold=100)
    sat.update(0, 80)
    sat.update(60, 80)  # one minute without data is not a minute of proven desaturation
    assert sat.total == pytest.approx(50)
