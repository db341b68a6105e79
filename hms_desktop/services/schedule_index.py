"""In-memory indexes over the appointments table, built once from raw columns.

Building pydantic models for half a million rows would take seconds and gigabytes, so the
indexes are filled from the table's raw cell text and kept current by the service after
each write. ``by_day`` holds a small ``Brief`` per appointment (what calendar views and
month summaries need); ``conflicts`` answers clashes.
"""

from __future__ import annotations

import gc
from datetime import datetime
from typing import NamedTuple

from hms_desktop.domain.schedule_conflicts import DAY, ConflictIndex, Resource
from hms_desktop.domain.scheduling import BLOCKING, Appointment

_BLOCKING_TEXT = frozenset(s.value for s in BLOCKING)
BRIEF_COLUMNS = ("start", "end", "status", "provider_id", "patient_id", "room_id", "reason")


class Brief(NamedTuple):
    """One appointment as views need it; times are epoch seconds, status its text value."""

    id: str
    start: int
    end: int
    provider_id: str
    patient_id: str
    status: str
    reason: str


class AppointmentIndex:
    """Blocking intervals per resource/day, and a Brief of every appointment per start day."""

    def __init__(self) -> None:
        self.conflicts = ConflictIndex()
        self._by_day: dict[int, dict[str, Brief]] = {}  # utc day of start -> {id: brief}
        self._start_of: dict[str, int] = {}

    @classmethod
    def from_columns(cls, ids: list[str], cols: dict[str, list[str]]) -> AppointmentIndex:
        """Fill from raw columns (``BRIEF_COLUMNS``), in the order of ``ids``.

        The cyclic garbage collector is paused while millions of small tuples are made:
        none of them can form a cycle, and its repeated scans would triple the time.
        """
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return cls._fill(ids, cols)
        finally:
            if was_enabled:
                gc.enable()

    @classmethod
    def _fill(cls, ids: list[str], cols: dict[str, list[str]]) -> AppointmentIndex:
        index = cls()
        epochs: dict[str, int] = {}  # slot times repeat: parse each distinct cell once

        def epoch(text: str) -> int:
            value = epochs.get(text)
            if value is None:
                value = epochs[text] = int(datetime.fromisoformat(text).timestamp())
            return value

        shared: dict[Resource, Resource] = {}  # one ("patient", id) tuple per patient, not per row
        by_day, start_of = index._by_day, index._start_of
        blocking = []
        starts, ends, statuses = cols["start"], cols["end"], cols["status"]
        providers, patients, rooms, reasons = (cols["provider_id"], cols["patient_id"], cols["room_id"],
                                               cols["reason"])
        for i, aid in enumerate(ids):
            start, end = epoch(starts[i]), epoch(ends[i])
            start_of[aid] = start
            day = by_day.get(start // DAY)
            if day is None:
                day = by_day[start // DAY] = {}
            day[aid] = Brief(aid, start, end, providers[i], patients[i], statuses[i], reasons[i])
            if statuses[i] in _BLOCKING_TEXT:
                prov, pat = ("provider", providers[i]), ("patient", patients[i])
                res: tuple[Resource, ...] = (shared.setdefault(prov, prov), shared.setdefault(pat, pat))
                if rooms[i]:
                    room = ("room", rooms[i])
                    res += (shared.setdefault(room, room),)
                blocking.append((aid, start, end, res))
        index.conflicts.load(blocking)
        return index

    def put(self, appt: Appointment) -> None:
        """Index a new or changed appointment (its latest version)."""
        start = int(appt.start.timestamp())
        old = self._start_of.get(appt.id)
        if old is not None:
            self._by_day.get(old // DAY, {}).pop(appt.id, None)
        self._start_of[appt.id] = start
        self._by_day.setdefault(start // DAY, {})[appt.id] = Brief(
            appt.id, start, int(appt.end.timestamp()), appt.provider_id, appt.patient_id,
            appt.status.value, appt.reason)
        self.conflicts.add(appt)

    def briefs_between(self, start: datetime, end: datetime) -> list[Brief]:
        """Appointments overlapping [start, end), ordered by start then id.

        Buckets are by start day, so one day of look-back catches an appointment that
        began the day before and runs on.
        """
        lo, hi = int(start.timestamp()), int(end.timestamp())
        found = [b for day in range(lo // DAY - 1, (hi - 1) // DAY + 1)
                 for b in self._by_day.get(day, {}).values() if b.start < hi and b.end > lo]
        found.sort(key=lambda b: (b.start, b.id))
        return found
