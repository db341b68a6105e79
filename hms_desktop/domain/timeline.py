"""One entry of a patient's timeline: everything that happened, from any feature, in one list.

Features contribute entries through timeline sources (``hms_desktop.services.timeline``);
this model is the only thing they share, so the timeline never needs to know their tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """``kind`` is what the user filters by (e.g. "Allergy", "Visit"); ``table`` and
    ``record_id`` say where the entry came from so a view can open it. ``date_only`` marks
    entries known only to the day (a surgery date) so views do not invent a time of day."""

    at: datetime
    kind: str
    title: str
    detail: str
    table: str
    record_id: str
    date_only: bool = False


def day_start(day: date) -> datetime:
    """A date-only event placed at the start of its day (UTC), so it sorts among timed ones."""
    return datetime.combine(day, time(0), tzinfo=UTC)


def newest_first(entries: list[TimelineEntry]) -> list[TimelineEntry]:
    """Newest first; ties keep a stable order by kind and id so the list never reshuffles."""
    return sorted(entries, key=lambda e: (e.at, e.kind, e.record_id), reverse=True)
