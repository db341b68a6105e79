"""Alarm tones generated at start-up as WAV data (IEC 60601-1-8-like), never shipped as files.

High priority: ten pulses in two groups of five; medium: three; low: one. Each pulse is a
fundamental in 150-1000 Hz with four harmonics (which makes it locatable and audible to
people with high-frequency hearing loss), with short ramps so it does not click.
No Qt, so the patterns are tested sample by sample, and the tones can be made on the
background writer at start-up: a module made there must never touch Qt (see
``ui/shell/session_controller.py``). Built with numpy, whole pulses at a time: a per-sample
Python loop cost ~0.4 s.
"""

from __future__ import annotations

import io
import math
import wave
from functools import lru_cache

import numpy as np

from hms_desktop.domain.alarm_limits import Priority

SAMPLE_RATE = 22050
PULSE_S = 0.15
GAP_S = 0.08           # between pulses inside a group
GROUP_GAP_S = 0.35     # between the two groups of a high-priority burst
RAMP_S = 0.015
FUNDAMENTAL_HZ = {Priority.HIGH: 880.0, Priority.MEDIUM: 660.0, Priority.LOW: 523.0}
GROUPS = {Priority.HIGH: (5, 5), Priority.MEDIUM: (3,), Priority.LOW: (1,)}
HARMONICS = (1.0, 0.5, 0.33, 0.25, 0.2)


def pulse_schedule(priority: Priority) -> list[tuple[float, float]]:
    """(start, duration) of each pulse of one burst, in seconds."""
    out: list[tuple[float, float]] = []
    t = 0.0
    for g, count in enumerate(GROUPS[priority]):
        if g:
            t += GROUP_GAP_S - GAP_S
        for _ in range(count):
            out.append((t, PULSE_S))
            t += PULSE_S + GAP_S
    return out


def burst_seconds(priority: Priority) -> float:
    start, dur = pulse_schedule(priority)[-1]
    return start + dur


@lru_cache(maxsize=8)
def generate_wav(priority: Priority, sample_rate: int = SAMPLE_RATE) -> bytes:
    """A mono 16-bit WAV of one burst (cached: the app makes them on its writer thread while
    the folder opens, so the Monitor tab does not spend ~40 ms of the GUI thread on them)."""
    f0 = FUNDAMENTAL_HZ[priority]
    total = int(math.ceil(burst_seconds(priority) * sample_rate)) + 1
    samples = np.zeros(total, dtype=np.float64)
    norm = sum(HARMONICS)
    ramp = max(1, int(RAMP_S * sample_rate))
    for start, dur in pulse_schedule(priority):
        i0, n = int(start * sample_rate), int(dur * sample_rate)
        k = np.arange(n, dtype=np.float64)
        t = k / sample_rate
        env = np.minimum(np.minimum(1.0, k / ramp), (n - 1 - k) / ramp)
        v = np.zeros(n, dtype=np.float64)
        for h, a in enumerate(HARMONICS):
            v += a * np.sin(2 * math.pi * f0 * (h + 1) * t)
        samples[i0:i0 + n] = 0.6 * env * v / norm
    # int() truncated toward zero before; astype does the same.
    pcm = (samples * 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()
