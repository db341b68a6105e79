"""Recurrence expansion and daylight saving: the local hour never moves."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from hms_desktop.domain.schedule_recurrence import Recurrence, expand_rule, occurrences_utc
from hms_desktop.domain.schedule_time import clinic_zone, utc_to_wall, wall_to_utc

LONDON = "Europe/London"


def test_weekly_series_across_spring_change_stays_at_nine_local() -> None:
    # Clocks go forward in London on Sunday 29 March 2026.
    rec = Recurrence(freq="weekly", weekdays=[4], count=4)
    starts = rec.wall_starts(datetime(2026, 3, 20, 9, 0))
    spans = occurrences_utc(starts, 30, LONDON)
    locals_ = [utc_to_wall(s, clinic_zone(LONDON)) for s, _ in spans]
    assert [d.date() for d in locals_] == [date(2026, 3, 20), date(2026, 3, 27),
                                           date(2026, 4, 3), date(2026, 4, 10)]
    assert all(d.time() == time(9, 0) for d in locals_)
    # The instants differ: 09:00 GMT is 09:00 UTC, 09:00 BST is 08:00 UTC.
    assert spans[0][0].hour == 9 and spans[2][0].hour == 8
    assert all((e - s).total_seconds() == 1800 for s, e in spans)


def test_autumn_change_also_keeps_local_hour() -> None:
    rec = Recurrence(freq="daily", count=3)
    spans = occurrences_utc(rec.wall_starts(datetime(2026, 10, 23, 9, 0)), 15, LONDON)
    assert [s.hour for s, _ in spans] == [8, 8, 9]  # BST, BST, GMT


def test_weekdays_every_two_weeks_until_date() -> None:
    rec = Recurrence(freq="weekly", interval=2, weekdays=[0, 2], until=date(2026, 2, 1))
    starts = rec.wall_starts(datetime(2026, 1, 5, 14, 0))  # a Monday
    assert [s.date() for s in starts] == [date(2026, 1, 5), date(2026, 1, 7),
                                          date(2026, 1, 19), date(2026, 1, 21)]


def test_monthly_count_and_rrule_text_round_trip() -> None:
    rec = Recurrence(freq="monthly", count=3)
    first = datetime(2026, 1, 15, 10, 30)
    assert rec.to_rrule() == "FREQ=MONTHLY;COUNT=3"
    assert rec.wall_starts(first) == expand_rule(rec.to_rrule(), first)
    assert [s.month for s in rec.wall_starts(first)] == [1, 2, 3]


def test_needs_exactly_one_end() -> None:
    with pytest.raises(ValidationError, match="exactly one of until"):
        Recurrence(freq="daily")
    with pytest.raises(ValidationError, match="exactly one of until"):
        Recurrence(freq="daily", count=2, until=date(2026, 1, 1))


def test_skipped_hour_refused_with_message() -> None:
    with pytest.raises(ValueError, match="does not exist"):
        wall_to_utc(datetime(2026, 3, 29, 1, 30), clinic_zone(LONDON))


@settings(max_examples=150, deadline=None)
@given(first_day=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
       hour=st.integers(7, 19), minute=st.sampled_from([0, 15, 30, 45]),
       zone=st.sampled_from(["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata"]),
       freq=st.sampled_from(["daily", "weekly", "monthly"]), interval=st.integers(1, 4),
       count=st.integers(1, 30))
def test_every_occurrence_keeps_the_wall_clock_time(first_day: date, hour: int, minute: int, zone: str,
                                                    freq: str, interval: int, count: int) -> None:
    rec = Recurrence(freq=freq, interval=interval, count=count)  # type: ignore[arg-type]
    first = datetime.combine(first_day, time(hour, minute))
    spans = occurrences_utc(rec.wall_starts(first), 20, zone)
    assert 1 <= len(spans) <= count
    for start, end in spans:
        assert utc_to_wall(start, clinic_zone(zone)).time() == time(hour, minute)
        assert (end - start).total_seconds() == 20 * 60


def test_monthly_on_the_31st_lands_on_the_last_day_of_short_months() -> None:
    """dateutil alone skips Feb, Apr, Jun...; a clinic expects the last day of the month."""
    rec = Recurrence(freq="monthly", count=6)
    first = datetime(2026, 1, 31, 9, 0)
    starts = rec.wall_starts(first)
    assert [s.date() for s in starts] == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31),
                                          date(2026, 4, 30), date(2026, 5, 31), date(2026, 6, 30)]
    assert all(s.time() == first.time() for s in starts)
    assert expand_rule(rec.to_rrule(first.date()), first) == starts  # 'this and following' agrees


def test_monthly_on_the_30th_keeps_the_30th_and_uses_feb_29_in_a_leap_year() -> None:
    rec = Recurrence(freq="monthly", count=3)
    starts = rec.wall_starts(datetime(2028, 1, 30, 9, 0))
    assert [s.date() for s in starts] == [date(2028, 1, 30), date(2028, 2, 29), date(2028, 3, 30)]


def test_monthly_skip_short_months_is_an_explicit_choice() -> None:
    rec = Recurrence(freq="monthly", count=3, short_months="skip")
    first = datetime(2026, 1, 31, 9, 0)
    assert [s.date() for s in rec.wall_starts(first)] == [date(2026, 1, 31), date(2026, 3, 31),
                                                          date(2026, 5, 31)]
    assert rec.to_rrule(first.date()) == "FREQ=MONTHLY;COUNT=3"
