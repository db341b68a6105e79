"""Alarm tone patterns (pulse counts, pitch) (the repeat / pause policy: tests/monitoring)."""

from __future__ import annotations

import io
import math
import struct
import wave

import pytest

from hms_desktop.domain.alarm_limits import Priority
from hms_desktop.monitoring.tones import generate_wav, pulse_schedule


def decode(data: bytes) -> tuple[int, list[int]]:
    with wave.open(io.BytesIO(data)) as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2
        frames = w.readframes(w.getnframes())
        return w.getframerate(), list(struct.unpack(f"<{len(frames) // 2}h", frames))


def count_pulses(samples: list[int], rate: int) -> int:
    """Count runs of sound separated by at least 40 ms of silence."""
    pulses, silent_run, in_pulse = 0, 0, False
    for s in samples:
        if abs(s) > 500:
            if not in_pulse:
                pulses += 1
            in_pulse, silent_run = True, 0
        else:
            silent_run += 1
            if silent_run > 0.04 * rate:
                in_pulse = False
    return pulses


@pytest.mark.parametrize(("priority", "pulses"), [(Priority.HIGH, 10), (Priority.MEDIUM, 3), (Priority.LOW, 1)])
def test_wav_has_the_iec_pulse_count(priority: Priority, pulses: int) -> None:
    rate, samples = decode(generate_wav(priority))
    assert count_pulses(samples, rate) == pulses
    assert max(abs(s) for s in samples) < 32767  # no clipping


def test_high_burst_is_two_groups_of_five() -> None:
    starts = [s for s, _ in pulse_schedule(Priority.HIGH)]
    gaps = [round(b - a, 3) for a, b in zip(starts, starts[1:], strict=False)]
    assert gaps.count(max(gaps)) == 1 and gaps.index(max(gaps)) == 4


@pytest.mark.parametrize("priority", list(Priority))
def test_fundamental_is_in_the_150_to_1000_hz_band(priority: Priority) -> None:
    rate, samples = decode(generate_wav(priority))
    start, dur = pulse_schedule(priority)[0]
    seg = samples[int((start + 0.03) * rate): int((start + dur - 0.03) * rate)]

    def power(f: float) -> float:
        re = sum(v * math.cos(2 * math.pi * f * i / rate) for i, v in enumerate(seg))
        im = sum(v * math.sin(2 * math.pi * f * i / rate) for i, v in enumerate(seg))
        return re * re + im * im

    candidates = list(range(150, 1001, 10))
    best = max(candidates, key=power)
    assert 150 <= best <= 1000
    assert power(best * 2) > 0.1 * power(best)  # harmonics present
