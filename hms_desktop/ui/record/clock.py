"""Times in the Record tab are shown and typed in the clinic's time zone (Settings), the same
zone the Schedule uses, not the workstation's: a visit logged from a 10:00 appointment reads
10:00 in both tabs. Stored times stay UTC. The tab sets the zone from ``ctx.settings``."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hms_desktop.domain.schedule_time import clinic_zone, utc_to_wall, wall_to_utc

_zone: ZoneInfo = clinic_zone()
DISPLAY = "%Y-%m-%d %H:%M"


def set_zone(zone: ZoneInfo) -> None:
    global _zone
    _zone = zone


def zone() -> ZoneInfo:
    return _zone


def to_wall(instant: datetime) -> datetime:
    """A stored instant as the clinic's naive wall-clock time."""
    return utc_to_wall(instant, _zone)


def from_wall(wall: datetime) -> datetime:
    """A clinic wall-clock time as a UTC instant; a time skipped by DST raises ValueError."""
    return wall_to_utc(wall, _zone)


def wall_text(instant: datetime) -> str:
    return to_wall(instant).strftime(DISPLAY)
