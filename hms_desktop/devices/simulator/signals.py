"""Pleth waveforms for the simulator: a synthetic pulse shape or a real PPG recording.

Both give ``sample(t_s, pulse_rate) -> (value 0..1, beat)``; ``beat`` is True on the one
sample where a new heartbeat starts (the device's beep bit).
"""

from __future__ import annotations

import importlib.util
import math
from bisect import bisect_right
from pathlib import Path


class SyntheticPleth:
    """A systolic peak and a dicrotic wave, following the pulse rate as it changes."""

    def __init__(self) -> None:
        self._phase = 0.0
        self._last_t: float | None = None

    def sample(self, t_s: float, pulse_rate: float) -> tuple[float, bool]:
        dt = 0.0 if self._last_t is None else max(0.0, t_s - self._last_t)
        self._last_t = t_s
        self._phase += dt * max(pulse_rate, 1.0) / 60.0
        beat = self._phase >= 1.0 or dt == 0.0 and t_s == 0.0
        self._phase %= 1.0
        p = self._phase
        value = 0.1 + 0.8 * math.exp(-(((p - 0.18) / 0.07) ** 2)) + 0.25 * math.exp(-(((p - 0.45) / 0.09) ** 2))
        return min(value, 1.0), beat


HEARTPY_HINT = "the 'heartpy' source needs the optional extra: pip install '.[heartpy]'"


def heartpy_recording(name: str = "data.csv") -> Path:
    """A PPG recording shipped inside the heartpy package (GPL: read in place, never copied)."""
    spec = importlib.util.find_spec("heartpy")  # not imported: its import pulls pkg_resources
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(HEARTPY_HINT)
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / name
    if not path.is_file():
        raise RuntimeError(f"heartpy is installed but {path} is missing; {HEARTPY_HINT}")
    return path


def load_ppg_csv(path: Path, *, column: int = -1) -> list[float]:
    """Numbers from one column of a CSV; header or blank lines skipped, bad rows named."""
    values: list[float] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        cells = [c.strip() for c in line.split(",")]
        if not line.strip():
            continue
        try:
            values.append(float(cells[column]))
        except (ValueError, IndexError):
            if values:  # a header is fine; junk in the middle of the data is not
                raise ValueError(f"{path.name} line {number}: not a number: {line[:40]!r}") from None
    if len(values) < 10:
        raise ValueError(f"{path.name}: only {len(values)} samples, need at least 10")
    return values


class RecordedPleth:
    """Plays a recording in a loop at its own sample rate, resampled to any frame time.

    Values are scaled to 0..1 between the 1st and 99th percentile, so a spike does not
    flatten the trace. Beats are the local maxima above the median, at most one per 0.3 s.
    """

    def __init__(self, samples: list[float], rate_hz: float) -> None:
        ordered = sorted(samples)
        low = ordered[len(ordered) // 100]
        high = ordered[-1 - len(ordered) // 100]
        span = (high - low) or 1.0
        self._values = [min(1.0, max(0.0, (v - low) / span)) for v in samples]
        self._rate = rate_hz
        self._duration = len(samples) / rate_hz
        median = ordered[len(ordered) // 2]
        self._beats = _peaks(samples, median, int(0.3 * rate_hz))
        self._last_t: float | None = None

    def sample(self, t_s: float, pulse_rate: float) -> tuple[float, bool]:
        t = t_s % self._duration
        x = t * self._rate
        i = int(x)
        a = self._values[i]
        b = self._values[(i + 1) % len(self._values)]
        prev = self._last_t
        self._last_t = t
        beat = False
        if prev is not None:
            lo, hi = prev * self._rate, x
            if hi < lo:  # wrapped to the start of the recording
                beat = bisect_right(self._beats, hi) > 0 or bisect_right(self._beats, lo) < len(self._beats)
            else:
                beat = bisect_right(self._beats, hi) > bisect_right(self._beats, lo)
        return a + (b - a) * (x - i), beat


def _peaks(samples: list[float], floor: float, spacing: int) -> list[int]:
    peaks: list[int] = []
    for i in range(1, len(samples) - 1):
        v = samples[i]
        if v > floor and v >= samples[i - 1] and v > samples[i + 1]:
            if peaks and i - peaks[-1] < spacing:
                if v > samples[peaks[-1]]:
                    peaks[-1] = i
                continue
            peaks.append(i)
    return peaks


def make_source(source: str) -> SyntheticPleth | RecordedPleth:
    """``synthetic``, ``heartpy`` (needs the extra) or a path to a one-column 100 Hz CSV."""
    if source == "synthetic":
        return SyntheticPleth()
    if source == "heartpy":
        return RecordedPleth(load_ppg_csv(heartpy_recording()), 100.0)
    path = Path(source)
    if path.is_file():
        return RecordedPleth(load_ppg_csv(path), 100.0)
    raise ValueError(f"unknown pleth source '{source}' (synthetic, heartpy or a CSV file path)")
