"""When to sound which burst, and the audio pause. Pure: time is passed in (monotonic).

Bursts repeat while an unacknowledged alarm lasts (high every 5 s, medium every 15 s);
a low alarm sounds once when it appears. Audio pause (IEC 60601-1-8) lasts at most 2 minutes
and covers only the alarm conditions active when it was pressed: any new condition, or a
rise in priority of a covered one, sounds at once and the screen says so. Visual alarms
stay on throughout.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from hms_desktop.domain.alarm_limits import Priority

REPEAT_S = {Priority.HIGH: 5.0, Priority.MEDIUM: 15.0}
PAUSE_MAX_S = 120.0
PAUSE_CHOICES_S = (60.0, 120.0)
#: An alarm as the policy sees it: (alarm id, priority). A rise in priority is a new key.
Sounding = tuple[str, Priority]


@dataclass
class AudioPolicy:
    pause_s: float = PAUSE_MAX_S
    paused_until: float | None = None
    covered: frozenset[Sounding] = frozenset()
    overridden: bool = False  # a condition the pause does not cover is sounding during it
    _last_played: tuple[Priority, float] | None = None
    _low_sounded: frozenset[str] = field(default_factory=frozenset)

    def pause(self, now: float, active: Iterable[Sounding], seconds: float | None = None) -> None:
        """Silence the conditions in ``active`` for ``seconds`` (at most 2 minutes)."""
        seconds = self.pause_s if seconds is None else seconds
        if not 0 < seconds <= PAUSE_MAX_S:
            raise ValueError(f"audio pause must be at most {PAUSE_MAX_S / 60:.0f} minutes, got {seconds:.0f} s")
        self.paused_until = now + seconds
        self.covered = frozenset(active)
        self.overridden = False

    def resume(self) -> None:
        self.paused_until = None
        self.covered = frozenset()
        self.overridden = False

    def remaining(self, now: float) -> float:
        """Seconds of pause left (0 when not paused): what the countdown shows."""
        if self.paused_until is None or now >= self.paused_until:
            self.resume()
            return 0.0
        return self.paused_until - now

    def decide(self, now: float, unacknowledged: Sequence[Sounding]) -> Priority | None:
        """The burst to start now, if any, given the unacknowledged alarms on screen."""
        paused = self.remaining(now) > 0
        sounding = [a for a in unacknowledged if not (paused and a in self.covered)]
        self.overridden = paused and bool(sounding)
        if not sounding:
            self._last_played = None
            self._low_sounded = frozenset()
            return None
        highest = max((p for _, p in sounding), key=lambda p: p.rank)
        if highest is Priority.LOW:
            lows = frozenset(k for k, p in sounding if p is Priority.LOW)
            new = lows - self._low_sounded
            self._low_sounded = lows | self._low_sounded
            if not new:
                return None
            self._last_played = (highest, now)
            return highest
        last = self._last_played
        if last is None or last[0] is not highest or now - last[1] >= REPEAT_S[highest]:
            self._last_played = (highest, now)
            return highest
        return None

    def failed(self) -> None:
        """The speaker failed: decide again next time instead of counting the burst as played."""
        self._last_played = None
        self._low_sounded = frozenset()
