"""Interval conflicts: a provider, a patient and a room are each in one appointment at a time.

The index buckets every blocking appointment by (resource, UTC day) so a check touches only
the few appointments of the days the candidate spans, whatever the size of the schedule.
Intervals are half-open [start, end): back-to-back is allowed, a one-minute overlap is not.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from hms_desktop.domain.scheduling import BLOCKING, Appointment, AppointmentStatus

DAY = 86_400
Resource = tuple[str, str]  # ("provider" | "patient" | "room", id)


@dataclass(frozen=True, slots=True)
class Conflict:
    """One clash: which resource, with which appointment, over what interval."""

    resource: str  # "provider", "patient" or "room"
    resource_id: str
    appointment_id: str
    start: datetime
    end: datetime


def _ts(value: datetime) -> int:
    return int(value.timestamp())


def resources_of(appt: Appointment) -> list[Resource]:
    out: list[Resource] = [("provider", appt.provider_id), ("patient", appt.patient_id)]
    if appt.room_id:
        out.append(("room", appt.room_id))
    return out


class ConflictIndex:
    """Blocking appointments by resource and day; add/remove keep it current."""

    def __init__(self) -> None:
        self._buckets: dict[tuple[str, str, int], list[tuple[int, int, str]]] = {}
        self._entries: dict[str, tuple[int, int, tuple[Resource, ...]]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, appt: Appointment) -> None:
        """Index ``appt`` (replacing an older version of it); non-blocking ones are dropped."""
        self.remove(appt.id)
        if AppointmentStatus(appt.status) not in BLOCKING:
            return
        self.add_raw(appt.id, _ts(appt.start), _ts(appt.end), tuple(resources_of(appt)))

    def add_raw(self, appt_id: str, start: int, end: int, resources: tuple[Resource, ...]) -> None:
        """Index one blocking interval given as epoch seconds."""
        self._entries[appt_id] = (start, end, resources)
        for kind, rid in resources:
            for day in range(start // DAY, (end - 1) // DAY + 1):
                insort(self._buckets.setdefault((kind, rid, day), []), (start, end, appt_id))

    def load(self, rows: Iterable[tuple[str, int, int, tuple[Resource, ...]]]) -> None:
        """Bulk fill an empty index: append everything, sort each bucket once (start-up path)."""
        buckets = self._buckets
        for appt_id, start, end, resources in rows:
            self._entries[appt_id] = (start, end, resources)
            item = (start, end, appt_id)
            first, last = start // DAY, (end - 1) // DAY
            for kind, rid in resources:
                if first == last:
                    key = (kind, rid, first)
                    bucket = buckets.get(key)
                    if bucket is None:
                        buckets[key] = [item]
                    else:
                        bucket.append(item)
                else:
                    for day in range(first, last + 1):
                        buckets.setdefault((kind, rid, day), []).append(item)
        for bucket in buckets.values():
            if len(bucket) > 1:
                bucket.sort()

    def remove(self, appt_id: str) -> None:
        entry = self._entries.pop(appt_id, None)
        if entry is None:
            return
        start, end, resources = entry
        for kind, rid in resources:
            for day in range(start // DAY, (end - 1) // DAY + 1):
                bucket = self._buckets.get((kind, rid, day))
                if bucket is not None:
                    bucket.remove((start, end, appt_id))

    def conflicts(self, resources: list[Resource], start: datetime, end: datetime,
                  ignore: frozenset[str] = frozenset()) -> list[Conflict]:
        """Every indexed appointment overlapping [start, end) on any of ``resources``."""
        return self.conflicts_ts(resources, _ts(start), _ts(end), ignore)

    def conflicts_ts(self, resources: list[Resource], start: int, end: int,
                     ignore: frozenset[str] = frozenset()) -> list[Conflict]:
        found: list[Conflict] = []
        seen: set[tuple[str, str, str]] = set()
        for kind, rid in resources:
            if not rid:
                continue
            for day in range(start // DAY, (end - 1) // DAY + 1):
                for s, e, other in self._buckets.get((kind, rid, day), ()):
                    if s >= end:
                        break  # bucket is sorted by start
                    if e > start and other not in ignore and (kind, rid, other) not in seen:
                        seen.add((kind, rid, other))
                        found.append(Conflict(kind, rid, other, datetime.fromtimestamp(s, UTC),
                                              datetime.fromtimestamp(e, UTC)))
        return found

    def busy(self, resource: Resource, day_start: int, day_end: int) -> list[tuple[int, int, str]]:
        """Sorted (start, end, id) of ``resource`` touching [day_start, day_end)."""
        out: dict[str, tuple[int, int, str]] = {}
        for day in range(day_start // DAY, (day_end - 1) // DAY + 1):
            for item in self._buckets.get((resource[0], resource[1], day), ()):
                if item[0] < day_end and item[1] > day_start:
                    out[item[2]] = item
        return sorted(out.values())
