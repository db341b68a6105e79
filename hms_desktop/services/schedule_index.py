"""In-memory indexes over the appointments table, built once from raw columns.

Building pydantic models for half a million rows would take seconds and gigabytes, so the
indexes are filled from the table's raw cell text and kept current by the service after
each write. ``by_day`` finds the appointments of a view; ``conflicts`` answers clashes.
"""

from __future__ import annotations

import gc
from datetime import datetime

from hms_desktop.domain.schedule_conflicts import DAY, ConflictIndex, Resource
from hms_desktop.domain.scheduling import BLOCKING, Appointment

Brief = tuple[int, str, str, str]  # start epoch, provider id, patient id, status

_BLOCKING_TEXT = frozenset(s.value for s in BLOCKING)


class AppointmentIndex:
    """Blocking intervals per resource/day, and every appointment id per start day."""

    def __init__(self) -> None:
        self.conflicts = ConflictIndex()
        # utc day -> {id: (start epoch, provider id, patient id, status)}: enough for month
        # summaries and view look-ups without building a model per row.
        self._by_day: dict[int, dict[str, Brief]] = {}
        self._start_of: dict[str, int] = {}

    @classmethod
    def from_columns(cls, ids: list[str], cols: dict[str, list[str]]) -> AppointmentIndex:
        """Fill from raw columns (start, end, status, provider_id, patient_id, room_id).

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

        by_day, start_of = index._by_day, index._start_of
        blocking = []
        starts, ends, statuses = cols["start"], cols["end"], cols["status"]
        providers, patients, rooms = cols["provider_id"], cols["patient_id"], cols["room_id"]
        for i, aid in enumerate(ids):
            start = epoch(starts[i])
            start_of[aid] = start
            day = by_day.get(start // DAY)
            if day is None:
                day = by_day[start // DAY] = {}
            day[aid] = (start, providers[i], patients[i], statuses[i])
            if statuses[i] in _BLOCKING_TEXT:
                res: tuple[Resource, ...] = (("provider", providers[i]), ("patient", patients[i]))
                if rooms[i]:
                    res += (("room", rooms[i]),)
                blocking.append((aid, start, epoch(ends[i]), res))
        index.conflicts.load(blocking)
        return index

    def _place(self, aid: str, brief: Brief) -> None:
        old = self._start_of.get(aid)
        if old is not None:
            self._by_day.get(old // DAY, {}).pop(aid, None)
        self._start_of[aid] = brief[0]
        self._by_day.setdefault(brief[0] // DAY, {})[aid] = brief

    def put(self, appt: Appointment) -> None:
        """Index a new or changed appointment (its latest version)."""
        self._place(appt.id, (int(appt.start.timestamp()), appt.provider_id, appt.patient_id,
                              appt.status.value))
        self.conflicts.add(appt)

    def briefs_between(self, start: datetime, end: datetime) -> list[tuple[str, Brief]]:
        """(id, brief) of appointments starting in [start - 1 day, end), ordered by start.

        One day of look-back catches an appointment that began the day before and runs on.
        """
        lo, hi = int(start.timestamp()), int(end.timestamp())
        found: list[tuple[str, Brief]] = []
        for day in range(lo // DAY - 1, (hi - 1) // DAY + 1):
            found.extend((aid, b) for aid, b in self._by_day.get(day, {}).items() if b[0] < hi)
        found.sort(key=lambda item: (item[1][0], item[0]))
        return found
