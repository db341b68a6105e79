"""'Find next free slot': walk each provider's slot grid day by day from a chosen time.

Each candidate is one interval check on the (resource, day) index, so a search costs a
few microseconds per slot however many appointments are stored.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hms_desktop.domain.schedule_availability import ProviderCalendar
from hms_desktop.domain.schedule_conflicts import ConflictIndex, Resource
from hms_desktop.domain.schedule_time import utc_to_wall, wall_to_utc
from hms_desktop.domain.scheduling import Appointment


def find_next_free_slot(*, index: ConflictIndex, calendars: dict[str, ProviderCalendar],
                        after: datetime, minutes: int, zone: ZoneInfo, patient_id: str = "",
                        room_id: str = "", days: int = 90) -> Appointment | None:
    """The earliest free slot among ``calendars`` (provider id -> calendar), or None.

    Returns a draft Appointment (no id, patient id as given) so the caller can book it.
    Days are walked in order and every provider is tried on each day, so the first hit of
    a day-by-day scan is the earliest overall after comparing that day's winners.
    """
    start_local = utc_to_wall(after, zone)
    length = timedelta(minutes=minutes)
    for offset in range(days + 1):
        day = start_local.date() + timedelta(days=offset)
        best: tuple[datetime, str] | None = None
        for provider_id, cal in calendars.items():
            resources: list[Resource] = [("provider", provider_id), ("patient", patient_id),
                                         ("room", room_id)]
            for local in cal.slot_starts(day, minutes, start_local):
                if best is not None and local >= best[0]:
                    break
                try:
                    s = wall_to_utc(local, zone)
                except ValueError:
                    continue  # a wall time skipped by DST is never a slot
                e = s + length
                if not index.conflicts_ts(resources, int(s.timestamp()), int(e.timestamp())):
                    best = (local, provider_id)
                    break
        if best is not None:
            s = wall_to_utc(best[0], zone)
            return Appointment(patient_id=patient_id or "?", provider_id=best[1], start=s,
                               end=s + length, tz=zone.key, room_id=room_id)
    return None
