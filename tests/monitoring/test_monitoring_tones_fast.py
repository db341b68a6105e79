"""Tone generation is vectorised (it runs on the GUI thread at start) and sounds the same."""

from __future__ import annotations

import io
import math
import time
import wave

import numpy as np
import pytest

from hms_desktop.domain.alarm_limits import Priority
from hms_desktop.monitoring.tones import (
    FUNDAMENTAL_HZ,
    HARMONICS,
    RAMP_S,
    SAMPLE_RATE,
    generate_wav,
    pulse_schedule,
)


def reference_sample(priority: Priority, i: int) -> int:
    """The tone formula one sample at a time, as the documented design states it."""
    for start, dur in pulse_schedule(priority):
        i0, n = int(start * SAMPLE_RATE), int(dur * SAMPLE_RATE)
        if i0 <= i < i0 + n:
            k = i - i0
            ramp = max(1, int(RAMP_S * SAMPLE_RATE))
            env = min(1.0, k / ramp, (n - 1 - k) / ramp)
            t = k / SAMPLE_RATE
            v = sum(a * math.sin(2 * math.pi * FUNDAMENTAL_HZ[priority] * (h + 1) * t)
                    for h, a in enumerate(HARMONICS))
            return int(0.6 * env * v / sum(HARMONICS) * 32767)
    return 0


@pytest.mark.parametrize("priority", list(Priority))
def test_every_sample_follows_the_tone_formula(priority: Priority) -> None:
    with wave.open(io.BytesIO(generate_wav(priority))) as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    for i in range(0, len(pcm), 97):  # a spread of samples: ramps, pulses, silences
        assert pcm[i] == reference_sample(priority, i), f"sample {i}"


def test_all_three_tones_take_a_few_milliseconds_not_a_blocking_pause() -> None:
    best = min(_timed() for _ in range(3))
    assert best < 0.025, f"tone generation took {best * 1000:.0f} ms on the GUI thread"


def _timed() -> float:
    t0 = time.perf_counter()
    for priority in Priority:
        generate_wav(priority)
    return time.perf_counter() - t0
