"""Pleth waveforms for the simulator: a synthetic pulse shape or a real PPG recording.

Both give ``sample(t_s, pulse_rate) -> (value 0..1, beat)``; ``beat`` is True on the one
sample where a new heartbeat starts (the device's beep bit), and ``pulse_rate(t_s)``: the
rate the device displays (None for the synthetic wave, which follows the scenario's).
"""

from __future__ import annotations

import importlib.util
import math
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
from numpy.typing import NDArray


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

    def pulse_rate(self, t_s: float) -> int | None:
        return None  # the scenario's rate drives this wave


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


@dataclass(frozen=True)
class Recording:
    samples: list[float]
    rate_hz: float


DEFAULT_RATE_HZ = 100.0  # a one-column file says nothing about its rate (heartpy's data.csv is 100 Hz)
_MS_COLUMNS = {"timer", "time_ms", "ms", "millis", "t_ms"}
_S_COLUMNS = {"time", "t", "time_s", "seconds", "sec", "s"}
_DATETIME_COLUMNS = {"datetime", "timestamp", "date_time"}


def load_recording(path: Path) -> Recording:
    """A PPG recording and its sample rate, from the file itself.

    The signal is the last column. With a time column first (``timer`` or ``time_ms`` in
    milliseconds, ``time``/``t``/``time_s`` in seconds, ``datetime``/``timestamp`` as ISO
    date-times) the rate is samples per second over the file; a one-column file is taken as
    100 Hz. Bad rows are named by line.
    """
    rows: list[list[str]] = []
    header: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split(",")]
        try:
            float(cells[-1])
        except ValueError:
            if not rows and not header:
                header = [c.lower() for c in cells]  # a header is fine; junk in the data is not
                continue
            raise ValueError(f"{path.name} line {number}: not a number: {line[:40]!r}") from None
        rows.append(cells)
    if len(rows) < 10:
        raise ValueError(f"{path.name}: only {len(rows)} samples, need at least 10")
    samples = [float(r[-1]) for r in rows]
    time_column = header[0] if len(header) >= 2 else ""
    return Recording(samples, _rate_from_times(path, time_column, [r[0] for r in rows]))


def _rate_from_times(path: Path, column: str, cells: list[str]) -> float:
    if column in _MS_COLUMNS | _S_COLUMNS:
        scale = 1000.0 if column in _MS_COLUMNS else 1.0
        try:
            span = (float(cells[-1]) - float(cells[0])) / scale
        except ValueError:
            raise ValueError(f"{path.name}: column {column} is not a number of "
                             f"{'milliseconds' if scale > 1 else 'seconds'}") from None
    elif column in _DATETIME_COLUMNS:
        try:
            span = (datetime.fromisoformat(cells[-1]) - datetime.fromisoformat(cells[0])).total_seconds()
        except ValueError:
            raise ValueError(f"{path.name}: column {column} is not an ISO date-time") from None
    else:
        return DEFAULT_RATE_HZ
    if span <= 0:
        raise ValueError(f"{path.name}: column {column} does not increase")
    return (len(cells) - 1) / span


def find_beats(samples: list[float], rate_hz: float) -> list[int]:
    """Index of each pulse's systolic peak: one per heartbeat, never the dicrotic wave.

    As heartpy does: a peak is the maximum of a stretch where the signal is above its
    0.75 s moving average raised by some percent of its mean; of the raises that give a
    plausible rate (40-180/min) the one with the steadiest beat-to-beat intervals wins. The
    dicrotic wave stays under the raised average, so it never counts as a beat.
    """
    x = np.asarray(samples, dtype=float)
    window = max(1, int(round(0.75 * rate_hz)))
    average = np.convolve(x, np.ones(window) / window, mode="same")
    best: tuple[float, list[int]] = (math.inf, [])
    mean = float(np.mean(average))
    for percent in (0, 5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 100, 150, 200, 300):
        above = np.concatenate(([False], x > average + abs(mean) * percent / 100, [False]))
        edges = np.flatnonzero(np.diff(above.astype(np.int8)))
        peaks = [int(start + np.argmax(x[start:end])) for start, end in zip(edges[::2], edges[1::2], strict=True)]
        if len(peaks) < 3:
            continue
        intervals = _intervals(peaks, rate_hz)
        bpm = 60 / float(np.mean(intervals))
        if 40 <= bpm <= 180:
            spread = float(np.std(intervals))
            if spread < best[0]:
                best = (spread, peaks)
    return _plausible(best[1], rate_hz)


def _plausible(peaks: list[int], rate_hz: float) -> list[int]:
    """Peaks next to a plausible interval (heartpy's check: within 30 % or 300 ms of the mean).

    Dropouts and movement in a recording make peaks at random spacing; a device shows no
    beats there rather than a beep for each spike.
    """
    if len(peaks) < 3:
        return peaks
    intervals = _intervals(peaks, rate_hz)
    mean = float(np.mean(intervals))
    margin = max(0.3 * mean, 0.3)
    good = (intervals >= mean - margin) & (intervals <= mean + margin)
    return [p for k, p in enumerate(peaks)
            if (k > 0 and good[k - 1]) or (k < len(good) and good[k])]


def _intervals(beats: list[int], rate_hz: float) -> NDArray[np.float64]:
    return np.diff(np.asarray(beats, dtype=float)) / rate_hz


class RecordedPleth:
    """Plays a recording in a loop at its own sample rate, resampled to any frame time.

    Values are scaled to 0..1 between the 1st and 99th percentile, so a spike does not
    flatten the trace. Beats are the recording's own pulses (``find_beats``); the pulse
    rate a device would display is 60 / the mean of the last four beat-to-beat intervals.
    """

    def __init__(self, samples: list[float], rate_hz: float) -> None:
        ordered = sorted(samples)
        low = ordered[len(ordered) // 100]
        high = ordered[-1 - len(ordered) // 100]
        span = (high - low) or 1.0
        self._values = [min(1.0, max(0.0, (v - low) / span)) for v in samples]
        self.rate_hz = rate_hz
        self._duration = len(samples) / rate_hz
        self.beats = find_beats(samples, rate_hz)
        self._rates = _displayed_rates(self.beats, rate_hz)
        self._last_t: float | None = None

    def sample(self, t_s: float, pulse_rate: float) -> tuple[float, bool]:
        t = t_s % self._duration
        x = t * self.rate_hz
        i = int(x)
        a = self._values[i]
        b = self._values[(i + 1) % len(self._values)]
        prev = self._last_t
        self._last_t = t
        beat = False
        if prev is not None:
            lo, hi = prev * self.rate_hz, x
            if hi < lo:  # wrapped to the start of the recording
                beat = bisect_right(self.beats, hi) > 0 or bisect_right(self.beats, lo) < len(self.beats)
            else:
                beat = bisect_right(self.beats, hi) > bisect_right(self.beats, lo)
        return a + (b - a) * (x - i), beat

    def pulse_rate(self, t_s: float) -> int | None:
        """The rate a device shows at ``t_s``, from the recording's own beats."""
        if not self._rates:
            return None
        k = bisect_right(self.beats, (t_s % self._duration) * self.rate_hz) - 1
        return self._rates[max(k, 0)]


def _displayed_rates(beats: list[int], rate_hz: float, averaged: int = 4) -> list[int]:
    """Per beat: 60 / the mean of the last ``averaged`` plausible intervals up to it.

    An interval spanning a stretch without beats (a dropout) is not one; the first beats
    use the first plausible intervals.
    """
    if len(beats) < 2:
        return []
    intervals = _intervals(beats, rate_hz)
    median = float(np.median(intervals))
    good = np.flatnonzero(np.abs(intervals - median) <= max(0.3 * median, 0.3))
    if not len(good):
        return []
    rates = []
    for k in range(len(beats)):
        upto = int(np.searchsorted(good, k))  # good intervals ending at beat k or before
        chosen = good[max(0, upto - averaged):max(upto, min(averaged, len(good)))]
        rates.append(round(60 / float(np.mean(intervals[chosen]))))
    return rates


def make_source(source: str) -> SyntheticPleth | RecordedPleth:
    """``synthetic``, ``heartpy`` (needs the extra) or a path to a PPG recording CSV."""
    if source == "synthetic":
        return SyntheticPleth()
    path = heartpy_recording() if source == "heartpy" else Path(source)
    if path.is_file():
        recording = load_recording(path)
        return RecordedPleth(recording.samples, recording.rate_hz)
    raise ValueError(f"unknown pleth source '{source}' (synthetic, heartpy or a CSV file path)")
