"""When a provider works: weekly windows, overridden per day by exceptions, and free slots."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from hms_desktop.domain.schedule_time import parse_hhmm
from hms_desktop.domain.scheduling import Availability, AvailabilityException


@dataclass(frozen=True, slots=True)
class Window:
    """One local working window on one date, with its slot length."""

    start: datetime  # naive, clinic wall-clock
    end: datetime
    slot_minutes: int


class ProviderCalendar:
    """One provider's weekly pattern plus dated exceptions, answering per local date."""

    def __init__(self, weekly: Iterable[Availability], exceptions: Iterable[AvailabilityException],
                 default_slot: int = 15) -> None:
        self.default_slot = default_slot
        self._weekly: dict[int, list[tuple[time, time, int]]] = {}
        for a in weekly:
            if not a.active:
                continue
            self._weekly.setdefault(a.weekday, []).append(
                (parse_hhmm(a.start), parse_hhmm(a.end), a.slot_minutes))
        for windows in self._weekly.values():
            windows.sort()
        self._exceptions: dict[date, list[AvailabilityException]] = {}
        for ex in exceptions:
            if not ex.active:
                continue
            self._exceptions.setdefault(ex.day, []).append(ex)

    def windows(self, day: date) -> list[Window]:
        """Working windows on ``day``; a leave or holiday closes it, a changed day replaces it."""
        exceptions = self._exceptions.get(day, [])
        if any(ex.kind in ("leave", "holiday") for ex in exceptions):
            return []
        changed = [ex for ex in exceptions if ex.kind == "changed"]
        if changed:
            spans = [(parse_hhmm(ex.start), parse_hhmm(ex.end), self._slot_for(day)) for ex in changed]
        else:
            spans = self._weekly.get(day.weekday(), [])
        return [Window(datetime.combine(day, s), datetime.combine(day, e), slot)
                for s, e, slot in sorted(spans)]

    def _slot_for(self, day: date) -> int:
        spans = self._weekly.get(day.weekday())
        return spans[0][2] if spans else self.default_slot

    def covers(self, start: datetime, end: datetime) -> bool:
        """True when [start, end) (naive local) lies inside one working window."""
        return any(w.start <= start and end <= w.end for w in self.windows(start.date()))

    def slot_starts(self, day: date, minutes: int, not_before: datetime) -> list[datetime]:
        """Candidate starts on ``day`` on the slot grid where ``minutes`` fits in the window."""
        out = []
        for w in self.windows(day):
            step = timedelta(minutes=w.slot_minutes)
            t = w.start
            if not_before > t:  # jump to the first grid point at or after not_before
                skips = -(-(not_before - t) // step)
                t += step * skips
            while t + timedelta(minutes=minutes) <= w.end:
                out.append(t)
                t += step
        return out
