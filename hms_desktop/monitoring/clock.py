"""The two clocks of monitoring: monotonic for every alarm decision, wall for display and records.

An NTP step or a manual clock change moves the wall clock, never the monotonic one, so onset
delays, escalation and audio pause cannot start late or end early because of it. Wall time
is derived from a monotonic stamp only at the edge (``wall_of``), when a row is written or a
time is shown.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float:
        """Seconds on a clock that never steps (alarm timing)."""
        ...

    def wall(self) -> float:
        """Seconds since the epoch (display and records only)."""
        ...


class SystemClock:
    """The machine's clocks."""

    def monotonic(self) -> float:
        return time.monotonic()

    def wall(self) -> float:
        return time.time()


class FakeClock:
    """Test time: ``advance`` moves both clocks, ``step_wall`` moves only the wall clock (NTP)."""

    def __init__(self, start: float = 1000.0, wall_start: float | None = None) -> None:
        self.now = start
        # Wall time starts at the real "now": records land in today's files and 24 h views.
        self._wall_offset = (time.time() if wall_start is None else wall_start) - start

    def monotonic(self) -> float:
        return self.now

    def wall(self) -> float:
        return self.now + self._wall_offset

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def step_wall(self, seconds: float) -> None:
        self._wall_offset += seconds


def wall_of(clock: Clock, t: float) -> float:
    """The wall time of monotonic stamp ``t`` (as the wall clock reads now)."""
    return clock.wall() - (clock.monotonic() - t)
