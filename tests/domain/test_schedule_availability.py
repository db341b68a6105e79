"""Weekly windows, exceptions and slot grids."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from pydantic import ValidationError

from hms_desktop.domain.schedule_availability import ProviderCalendar
from hms_desktop.domain.scheduling import Availability, AvailabilityException

MON = date(2026, 3, 2)


def calendar(*exceptions: AvailabilityException) -> ProviderCalendar:
    weekly = [Availability(provider_id="D", weekday=0, start="09:00", end="12:00", slot_minutes=30),
              Availability(provider_id="D", weekday=0, start="13:00", end="15:00", slot_minutes=30)]
    return ProviderCalendar(weekly, exceptions)


def test_covers_inside_one_window_only() -> None:
    cal = calendar()
    assert cal.covers(datetime(2026, 3, 2, 9), datetime(2026, 3, 2, 12))
    assert not cal.covers(datetime(2026, 3, 2, 11, 30), datetime(2026, 3, 2, 13, 30))
    assert not cal.covers(datetime(2026, 3, 3, 9), datetime(2026, 3, 3, 9, 30))  # Tuesday


def test_leave_closes_and_changed_day_replaces() -> None:
    leave = AvailabilityException(provider_id="D", day=MON, kind="leave")
    assert calendar(leave).windows(MON) == []
    changed = AvailabilityException(provider_id="D", day=MON, kind="changed", start="16:00", end="18:00")
    cal = calendar(changed)
    assert [(w.start.hour, w.end.hour) for w in cal.windows(MON)] == [(16, 18)]
    assert not cal.covers(datetime(2026, 3, 2, 9), datetime(2026, 3, 2, 9, 30))


def test_slot_grid_respects_not_before_and_duration() -> None:
    starts = calendar().slot_starts(MON, 60, datetime(2026, 3, 2, 10, 10))
    assert [s.strftime("%H:%M") for s in starts] == ["10:30", "11:00", "13:00", "13:30", "14:00"]


def test_bad_hours_named() -> None:
    with pytest.raises(ValidationError, match="HH:MM"):
        Availability(provider_id="D", weekday=0, start="9am", end="12:00")
    with pytest.raises(ValidationError, match="must be after start"):
        Availability(provider_id="D", weekday=0, start="12:00", end="09:00")


def test_parse_windows_orders_and_names_bad_piece() -> None:
    from hms_desktop.domain.scheduling import parse_windows

    assert parse_windows(" 13:30-17:00, 09:00-12:30 ") == [("09:00", "12:30"), ("13:30", "17:00")]
    assert parse_windows("") == []
    with pytest.raises(ValueError, match="'9-12' "):
        parse_windows("9-12")
    with pytest.raises(ValueError, match="'12:00-09:00': end must be after start"):
        parse_windows("12:00-09:00")
    with pytest.raises(ValueError, match="overlap at 10:00"):
        parse_windows("09:00-11:00, 10:00-12:00")
