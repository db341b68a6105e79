"""Playing a real PPG recording: the rate, the beep bit and the sample rate come from the file.

Known synthetic recordings (a systolic peak and a dicrotic wave 0.3 s later, baseline
wander and noise) have an exact rate; for heartpy's own recordings the oracle is what
heartpy 1.2.7's ``hp.process`` reports for them (58.9, 62.4 and 97.3 beats/min, at 100,
117.0 and 100.4 Hz), not this code.
"""

from __future__ import annotations

import importlib.util
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import serial

from hms_desktop.devices.protocols import make_parser
from hms_desktop.devices.simulator.signals import (
    RecordedPleth,
    heartpy_recording,
    load_recording,
    make_source,
)


def _ppg(rate_hz: float, bpm: float, seconds: float, seed: int = 0) -> list[float]:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate_hz)) / rate_hz
    phase = (t * bpm / 60) % 1.0
    wave = np.exp(-(((phase - 0.15) / 0.05) ** 2)) + 0.6 * np.exp(-(((phase - 0.45) / 0.06) ** 2))
    wave += 0.2 * np.sin(2 * np.pi * 0.2 * t) + rng.normal(0, 0.02, len(t))  # breathing, noise
    return [float(v) for v in 500 + 200 * wave]


def _write(path: Path, header: str, times: list[str], values: list[float]) -> Path:
    rows = [f"{t},{v:.2f}" if t else f"{v:.2f}" for t, v in zip(times, values, strict=True)]
    path.write_text((header + "\n" if header else "") + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _beeps_per_minute(source: RecordedPleth, seconds: float) -> float:
    """Beep bits a 60 frames/s device would send over ``seconds``."""
    beats = sum(source.sample(i / 60, 72)[1] for i in range(int(seconds * 60)))
    return beats * 60 / seconds


def test_a_117_hz_file_with_a_millisecond_timer_plays_at_its_own_rate(tmp_path: Path) -> None:
    values = _ppg(117.0, 59.0, 60)
    path = _write(tmp_path / "ppg.csv", "timer,hr", [f"{i * 1000 / 117:.4f}" for i in range(len(values))], values)
    recording = load_recording(path)
    assert recording.rate_hz == pytest.approx(117.0, abs=0.05)
    source = make_source(str(path))
    assert isinstance(source, RecordedPleth)
    assert {source.pulse_rate(t) for t in range(5, 60, 5)} <= {58, 59, 60}
    assert _beeps_per_minute(source, 60) == pytest.approx(59, abs=1.5)  # one beep a pulse, not two


def test_a_file_with_date_times_and_a_one_column_file(tmp_path: Path) -> None:
    values = _ppg(67.0, 84.0, 40, seed=1)
    start = datetime(2026, 12, 3, 8, 0)
    stamps = [(start + timedelta(seconds=i / 67)).isoformat(sep=" ") for i in range(len(values))]
    source = make_source(str(_write(tmp_path / "dt.csv", "datetime,hr", stamps, values)))
    assert isinstance(source, RecordedPleth)
    assert source.rate_hz == pytest.approx(67.0, abs=0.05)
    assert source.pulse_rate(20) in (83, 84, 85)
    one = _write(tmp_path / "one.csv", "", [""] * 3000, _ppg(100.0, 120.0, 30, seed=2))
    assert load_recording(one).rate_hz == 100.0  # nothing in the file says otherwise
    assert make_source(str(one)).pulse_rate(10) in (119, 120, 121)


def test_bad_recordings_are_refused_with_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "ppg.csv"
    path.write_text("hr\n1\n2\nthree\n", encoding="utf-8")
    with pytest.raises(ValueError, match="ppg.csv line 4: not a number"):
        load_recording(path)
    path.write_text("timer,hr\n" + "\n".join(f"5,{i}" for i in range(20)) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="column timer does not increase"):
        load_recording(path)


@pytest.mark.slow
def test_the_simulator_sends_the_recordings_rate_not_the_pr_baseline(tmp_path: Path, make_sim) -> None:  # type: ignore[no-untyped-def]
    values = _ppg(117.0, 59.0, 30)
    path = _write(tmp_path / "ppg.csv", "timer,hr", [f"{i * 1000 / 117:.4f}" for i in range(len(values))], values)
    sim = make_sim("cms50-legacy", pr=72, source=str(path))
    port = serial.Serial(sim.port, 19200, parity="O", timeout=0.05)
    try:
        data, deadline = b"", time.monotonic() + 1.0
        while time.monotonic() < deadline:
            data += port.read(4096)
    finally:
        port.close()
    rates = {r.pulse_rate for r in make_parser("cms50-legacy").feed(data)}
    assert rates and rates <= {58, 59, 60}


heartpy = pytest.mark.skipif(importlib.util.find_spec("heartpy") is None,
                             reason="heartpy (optional extra) is not installed")


@heartpy
@pytest.mark.parametrize(("name", "rate_hz", "bpm"), [
    ("data.csv", 100.0, 58.9), ("data2.csv", 117.0, 62.4), ("data3.csv", 100.4, 97.3),
])
def test_heartpy_recordings_play_at_heartpys_own_figures(name: str, rate_hz: float, bpm: float) -> None:
    recording = load_recording(heartpy_recording(name))
    assert recording.rate_hz == pytest.approx(rate_hz, abs=0.1)
    source = RecordedPleth(recording.samples, recording.rate_hz)
    seconds = len(recording.samples) / recording.rate_hz
    shown = [source.pulse_rate(t) for t in np.arange(0, seconds, 1.0)]
    assert float(np.median(shown)) == pytest.approx(bpm, abs=3.0)  # the issue: 72 (the --pr baseline)
    if name == "data.csv":  # 25 s: the beep bit once a pulse (the issue measured 132.8/min)
        assert _beeps_per_minute(source, 24.8) == pytest.approx(bpm, abs=5.0)
