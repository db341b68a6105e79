"""When to sound which burst, and the global audio pause. Pure: time is passed in.

Bursts repeat while an unacknowledged alarm lasts (high every 5 s, medium every 15 s);
a low alarm sounds once when it appears. Audio pause silences everything for a while
(2 min by default, 1-3 min allowed); visual alarms stay on throughout.
"""

from __future__ import annotations

from dataclasses import dataclass

from hms_desktop.domain.alarm_limits import Priority

REPEAT_S = {Priority.HIGH: 5.0, Priority.MEDIUM: 15.0}
PAUSE_CHOICES_S = (60.0, 120.0, 180.0)


@dataclass
class AudioPolicy:
    pause_s: float = 120.0
    paused_until: float | None = None
    _last_played: tuple[Priority, float] | None = None
    _low_sounded: bool = False

    def pause(self, now: float, seconds: float | None = None) -> None:
        seconds = self.pause_s if seconds is None else seconds
        if not 60.0 <= seconds <= 180.0:
            raise ValueError(f"audio pause must be 1-3 minutes, got {seconds:.0f} s")
        self.paused_until = now + seconds

    def resume(self) -> None:
        self.paused_until = None

    def remaining(self, now: float) -> float:
        """Seconds of pause left (0 when not paused): what the countdown shows."""
        if self.paused_until is None or now >= self.paused_until:
            self.paused_until = None
            return 0.0
        return self.paused_until - now

    def decide(self, now: float, highest: Priority | None) -> Priority | None:
        """The burst to start now, if any, given the highest unacknowledged priority."""
        if highest is None:
            self._last_played, self._low_sounded = None, False
            return None
        if self.remaining(now) > 0:
            return None
        if highest is Priority.LOW:
            if self._low_sounded:
                return None
            self._low_sounded = True
            self._last_played = (highest, now)
            return highest
        last = self._last_played
        if last is None or last[0] is not highest or now - last[1] >= REPEAT_S[highest]:
            self._last_played = (highest, now)
            return highest
        return None
