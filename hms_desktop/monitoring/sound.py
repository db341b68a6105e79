"""What the station needs from a speaker, and a speaker that records (tests, headless kiosks).

The Qt speaker (``ui/monitor/sound.py::QtAlarmSound``) plays the generated bursts; the core
only decides when and which.
"""

from __future__ import annotations

from typing import Protocol

from hms_desktop.domain.alarm_limits import Priority


class AlarmSound(Protocol):
    """What the station needs from a speaker."""

    @property
    def available(self) -> bool: ...

    def play(self, priority: Priority) -> None: ...

    def stop(self) -> None: ...


class RecordingSound:
    """A speaker that remembers what it was asked to play (tests, headless kiosks)."""

    def __init__(self, available: bool = True) -> None:
        self._available = available
        self.played: list[Priority] = []
        self.stops = 0

    @property
    def available(self) -> bool:
        return self._available

    def play(self, priority: Priority) -> None:
        self.played.append(priority)

    def stop(self) -> None:
        self.stops += 1
