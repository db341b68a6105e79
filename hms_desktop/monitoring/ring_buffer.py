"""Ring buffers between acquisition and drawing (Friture's rule: the reader fills, a timer draws).

``SweepBuffer`` is the bedside-monitor pleth: a fixed time base where new samples overwrite
the oldest at a moving write position, with a short blank "erase bar" ahead of it. The x
array never changes (float64, fixed range), so a redraw is one ``setData`` of fixed size.
``TrendBuffer`` keeps one numerics point a second for the trend strip.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


class SweepBuffer:
    def __init__(self, rate_hz: float = 60.0, window_s: float = 8.0, erase_s: float = 0.25) -> None:
        self.rate_hz = rate_hz
        self.size = max(2, int(round(rate_hz * window_s)))
        self.erase = max(1, int(round(rate_hz * erase_s)))
        self.x: FloatArray = np.arange(self.size, dtype=np.float64) / rate_hz
        self.y: FloatArray = np.full(self.size, np.nan, dtype=np.float64)
        self.pos = 0  # next index to write
        self.total = 0  # samples ever written (lets views skip a redraw when nothing arrived)
        self.filled = 0  # samples written since the last clear, at most ``size``

    def extend(self, samples: Sequence[float]) -> None:
        n = len(samples)
        if n == 0:
            return
        values = np.asarray(samples, dtype=np.float64)
        if not np.isfinite(values).all():
            # Only the erase bar and unwritten points are NaN: views draw the written parts
            # as unbroken lines without a per-frame finite check (a bad sample draws at 0).
            values = np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)
        if n >= self.size:
            values, n = values[-self.size:], self.size
        # At most two contiguous slice copies (before and after the wrap), no index arrays.
        first = min(n, self.size - self.pos)
        self.y[self.pos:self.pos + first] = values[:first]
        self.y[:n - first] = values[first:]
        self.pos = (self.pos + n) % self.size
        self.total += len(samples)
        self.filled = min(self.size, self.filled + n)
        end = self.pos + self.erase
        self.y[self.pos:end] = np.nan
        if end > self.size:
            self.y[:end - self.size] = np.nan

    def segments(self) -> tuple[slice, slice]:
        """The written, finite parts of ``y`` in index order: before the write position and
        after the erase bar. Views draw each as one unbroken line from numpy views, so a
        frame needs no NaN handling and no copy."""
        end = self.pos + self.erase  # the erase bar may run past the end onto the start
        left = slice(max(0, end - self.size), self.pos)
        if self.filled < self.size:  # not wrapped yet: nothing was written after pos
            return left, slice(0, 0)
        return left, slice(min(end, self.size), self.size)

    def clear(self) -> None:
        self.y[:] = np.nan
        self.pos = 0
        self.filled = 0

    def latest(self) -> float | None:
        v = self.y[(self.pos - 1) % self.size]
        return None if np.isnan(v) else float(v)


class TrendBuffer:
    """The last ``capacity`` seconds of (t, SpO2, PR); NaN where no value (a gap, not zero)."""

    def __init__(self, capacity: int = 3600) -> None:
        self.capacity = capacity
        self.t: FloatArray = np.full(capacity, np.nan)
        self.spo2: FloatArray = np.full(capacity, np.nan)
        self.pr: FloatArray = np.full(capacity, np.nan)
        self.count = 0
        self._last_second: int | None = None

    def add(self, t: float, spo2: int | None, pr: int | None) -> None:
        second = int(t)
        if second == self._last_second:  # one point a second: keep the latest of the second
            i = (self.count - 1) % self.capacity
        else:
            i = self.count % self.capacity
            self.count += 1
            self._last_second = second
        self.t[i] = float(second)
        self.spo2[i] = np.nan if spo2 is None else spo2
        self.pr[i] = np.nan if pr is None else pr

    def arrays(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Time-ordered copies of what is held."""
        n = min(self.count, self.capacity)
        start = (self.count - n) % self.capacity
        order = (start + np.arange(n)) % self.capacity
        return self.t[order], self.spo2[order], self.pr[order]
