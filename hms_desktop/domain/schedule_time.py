"""Clinic wall-clock time versus stored instants.

Appointments are stored as UTC instants plus the clinic's zone name, and shown in that
zone. Recurring bookings are expanded in *wall-clock* time and only then turned into
instants, so a weekly 09:00 stays at 09:00 local across a daylight-saving change.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_CLINIC_TZ = "Europe/London"


def clinic_zone(name: str | None = None) -> ZoneInfo:
    """The one place that turns the clinic setting into a zone (default Europe/London)."""
    return ZoneInfo(name or DEFAULT_CLINIC_TZ)


def wall_to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """A naive wall-clock time in ``zone`` as a UTC instant.

    A wall time that does not exist (the hour skipped when clocks go forward) is refused
    rather than silently moved; an ambiguous one (clocks going back) takes the first.
    """
    if local.tzinfo is not None:
        return local.astimezone(UTC)
    aware = local.replace(tzinfo=zone, fold=0)
    utc = aware.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != local:
        raise ValueError(f"{local:%Y-%m-%d %H:%M} does not exist in {zone.key} (clocks go forward)")
    return utc


def utc_to_wall(instant: datetime, zone: ZoneInfo) -> datetime:
    """A stored instant as a naive wall-clock time in ``zone``."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(zone).replace(tzinfo=None)


def parse_hhmm(text: str) -> time:
    """'09:30' -> time(9, 30); a clear message otherwise (used by forms and CSV rows)."""
    try:
        hours, minutes = text.strip().split(":")
        return time(int(hours), int(minutes))
    except (ValueError, AttributeError):
        raise ValueError(f"time must be HH:MM, got {text!r}") from None


def day_bounds_utc(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants where a local calendar day starts and ends (23 or 25 h on DST days)."""
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end
