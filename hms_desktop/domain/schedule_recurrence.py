"""Recurrence: daily, weekly on chosen weekdays, every N weeks, monthly; until a date or
N occurrences. Expanded in wall-clock time so DST never shifts the local hour.

Monthly on the 29th-31st: dateutil alone silently skips months without that day, which a
clinic never expects. ``short_months`` makes the choice explicit: ``"last_day"`` (default)
books the last day of a shorter month, ``"skip"`` leaves those months out.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import islice
from typing import Any, Literal

from dateutil.rrule import (  # noqa: I001 (keep weekday order)
    DAILY,
    FR,
    MO,
    MONTHLY,
    SA,
    SU,
    TH,
    TU,
    WE,
    WEEKLY,
    rrule,
    rrulestr,
    weekday,
)
from pydantic import BaseModel, Field, model_validator

from hms_desktop.domain.schedule_time import clinic_zone, wall_to_utc

_WEEKDAYS: tuple[weekday, ...] = (MO, TU, WE, TH, FR, SA, SU)
_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_FREQ: dict[str, Any] = {"daily": DAILY, "weekly": WEEKLY, "monthly": MONTHLY}
MAX_OCCURRENCES = 500  # a series longer than this is almost certainly a typo


class Recurrence(BaseModel):
    """What a user picks in the booking dialog; ``until`` or ``count`` ends the series."""

    freq: Literal["daily", "weekly", "monthly"]
    interval: int = Field(default=1, ge=1, le=52)
    weekdays: list[int] = Field(default_factory=list)  # 0=Monday; weekly only
    until: date | None = None
    count: int | None = Field(default=None, ge=1, le=MAX_OCCURRENCES)
    short_months: Literal["last_day", "skip"] = "last_day"  # monthly on day 29-31 only

    @model_validator(mode="after")
    def _one_end(self) -> Recurrence:
        if (self.until is None) == (self.count is None):
            raise ValueError("recurrence needs exactly one of until (a date) or count")
        if any(not 0 <= d <= 6 for d in self.weekdays):
            raise ValueError("weekdays must be 0 (Monday) to 6 (Sunday)")
        return self

    def month_days(self, first: date) -> tuple[int, ...] | None:
        """Candidate days for 'last day of a shorter month': 28..day, the latest that exists
        in a month wins (RFC 5545 BYMONTHDAY + BYSETPOS=-1). None when no month is short."""
        if self.freq != "monthly" or self.short_months != "last_day" or first.day <= 28:
            return None
        return tuple(range(28, first.day + 1))

    def to_rrule(self, first: date | None = None) -> str:
        """RFC 5545 text, stored with the series and usable in iCalendar. ``first`` (the
        series start) is needed to spell out the short-month rule for day 29-31."""
        parts = [f"FREQ={self.freq.upper()}"]
        if self.interval > 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.freq == "weekly" and self.weekdays:
            parts.append("BYDAY=" + ",".join(_CODES[d] for d in sorted(set(self.weekdays))))
        days = self.month_days(first) if first is not None else None
        if days:
            parts.append("BYMONTHDAY=" + ",".join(map(str, days)) + ";BYSETPOS=-1")
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        if self.until is not None:
            parts.append(f"UNTIL={self.until:%Y%m%d}T235959")
        return ";".join(parts)

    def wall_starts(self, first: datetime) -> list[datetime]:
        """Naive wall-clock starts, the first being ``first`` itself when it matches."""
        until = datetime.combine(self.until, datetime.max.time()) if self.until else None
        byweekday = ([_WEEKDAYS[d] for d in sorted(set(self.weekdays))]
                     if self.freq == "weekly" and self.weekdays else None)
        days = self.month_days(first.date())
        rule = rrule(_FREQ[self.freq], dtstart=first, interval=self.interval,
                     byweekday=byweekday, count=self.count, until=until,
                     bymonthday=days, bysetpos=-1 if days else None)
        starts = list(islice(rule, MAX_OCCURRENCES + 1))
        if len(starts) > MAX_OCCURRENCES:
            raise ValueError(f"a series may have at most {MAX_OCCURRENCES} occurrences")
        return starts


def expand_rule(rule_text: str, first: datetime) -> list[datetime]:
    """Wall-clock starts for a stored RRULE string (used for 'this and following')."""
    rule = rrulestr(rule_text, dtstart=first)
    return list(islice(rule, MAX_OCCURRENCES))


def occurrences_utc(starts: list[datetime], minutes: int, tz: str) -> list[tuple[datetime, datetime]]:
    """(start, end) UTC instants for wall-clock starts; each keeps its local hour."""
    zone = clinic_zone(tz)
    out = []
    for local in starts:
        start = wall_to_utc(local, zone)
        # Duration is real elapsed time; only the start is pinned to the wall clock.
        out.append((start, start + timedelta(minutes=minutes)))
    return out
