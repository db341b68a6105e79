"""SatSeconds: alarm on the area below the SpO2 limit, not on every dip.

A brief shallow dip (2 points for 3 s = 6) does not alarm with a threshold of 25; a deep
or long one does. The sum drains while SpO2 is back in range. Because a patient can
dip repeatedly without ever filling the sum, three separate violations within 60 s
alarm anyway (the "safety net"). Pure: time is whatever the caller passes in.

Each sample adds its own value over the time since the previous sample (the device's value
stands for the interval that ends with it), so the sum reaches the threshold on a sample
still below the limit and a 1 Hz device decides like a 60 Hz one, within one sample period
(80 % for 3 s at 1 Hz is 30 SatSeconds on the third sample; Nellcor's example of 88 % x 2 s,
86 % x 3 s, 84 % x 6 s reaches 50 at about 10.7 s).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

SAFETY_NET_COUNT = 3
SAFETY_NET_WINDOW_S = 60.0
MAX_STEP_S = 5.0  # a gap between samples is not evidence: one sample adds at most this long


@dataclass
class SatSeconds:
    """Accumulates ``(limit - spo2) * dt`` while below ``limit``.

    ``update`` returns True while the alarm condition holds (sum reached ``threshold``, or
    the third violation within 60 s while still below the limit).
    """

    limit: int
    threshold: float
    total: float = 0.0
    below: bool = False
    _last_t: float | None = None
    _last_spo2: int | None = None
    _violation_starts: deque[float] = field(default_factory=deque)

    def update(self, t: float, spo2: int) -> bool:
        """Feed one sample at time ``t`` (seconds); returns whether the condition holds."""
        dt = min(t - self._last_t, MAX_STEP_S) if self._last_t is not None and t > self._last_t else 0.0
        if spo2 < self.limit:
            self.total += (self.limit - spo2) * dt
        else:
            # Drain: the further back in range, the faster the sum empties.
            self.total = max(0.0, self.total - (spo2 - self.limit + 1) * dt)
        now_below = spo2 < self.limit
        if now_below and not self.below:
            self._violation_starts.append(t)
        while self._violation_starts and t - self._violation_starts[0] > SAFETY_NET_WINDOW_S:
            self._violation_starts.popleft()
        self.below = now_below
        self._last_t, self._last_spo2 = t, spo2
        return self.condition

    @property
    def violations_in_window(self) -> int:
        return len(self._violation_starts)

    @property
    def condition(self) -> bool:
        if self.total >= self.threshold > 0:
            return True
        return self.below and len(self._violation_starts) >= SAFETY_NET_COUNT

    def interrupt(self) -> None:
        """No trusted samples for a while (a technical condition): the gap adds nothing, but
        the sum and the violation history are kept, so an alarm continues when data returns."""
        self._last_t = self._last_spo2 = None

    def reset(self) -> None:
        """Forget everything (the alarm cleared, or new limits)."""
        self.total, self.below = 0.0, False
        self._last_t = self._last_spo2 = None
        self._violation_starts.clear()
