"""The simulate command, run as a real process and read through its pty."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import serial

from hms_desktop.cli import simulate
from hms_desktop.devices.protocols import make_parser

ROOT = Path(__file__).resolve().parents[2]
RUNNER = (
    "import argparse, sys; from hms_desktop.cli import simulate; "
    "p = argparse.ArgumentParser(prog='hms_desktop'); s = p.add_subparsers(); "
    "simulate.add_command(s); a = p.parse_args(sys.argv[1:]); sys.exit(a.func(a))"
)


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="hms_desktop")
    simulate.add_command(parser.add_subparsers())
    return parser.parse_args(argv)


@pytest.mark.slow
def test_prints_the_pty_path_streams_and_stops_on_ctrl_c() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", RUNNER, "simulate", "--protocol", "cms50-legacy", "--pty",
         "--spo2", "91", "--pr", "55"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        path = proc.stdout.readline().strip()  # type: ignore[union-attr]
        port = serial.Serial(path, 19200, parity="O", timeout=0.1)
        parser, readings = make_parser("cms50-legacy"), []
        deadline = time.monotonic() + 5
        while len(readings) < 30 and time.monotonic() < deadline:
            readings += parser.feed(port.read(256))
        port.close()
        assert len(readings) >= 30
        assert (readings[-1].spo2, readings[-1].pulse_rate) == (91, 55)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=30)  # generous: a loaded CI machine
        except subprocess.TimeoutExpired:
            proc.kill()  # never leave a simulator running after the test
            proc.communicate()
            raise
    assert proc.returncode == 0, err
    assert "frames" in err


def test_bad_scenario_is_refused_with_a_message(capsys: pytest.CaptureFixture[str]) -> None:
    args = _parse(["simulate", "--protocol", "masimo", "--scenario", "hiccups"])
    assert args.func(args) == 2
    assert "unknown scenario 'hiccups'" in capsys.readouterr().err


def test_out_of_range_values_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    args = _parse(["simulate", "--protocol", "text", "--spo2", "120"])
    assert simulate.run(args) == 2
    assert "--spo2 120" in capsys.readouterr().err


def test_runs_for_a_fixed_time_with_a_scenario_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = tmp_path / "dip.csv"
    scenario.write_text("duration_s,spo2,pr,condition\n1,90,80,ok\n1,,,finger_out\n", encoding="utf-8")
    args = _parse(["simulate", "--protocol", "nonin-df2", "--scenario", str(scenario), "--seconds", "0.3"])
    assert simulate.run(args) == 0
    out, err = capsys.readouterr()
    assert out.strip().endswith("ttySIM0") and "scenario dip" in err
