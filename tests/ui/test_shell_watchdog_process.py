"""The watchdog as the app runs it: real processes (issue 11 item 6). A station whose GUI
thread freezes for 8 s is reported "frozen", then "clear" when it beats again, and a clean
quit ends the watchdog; a station killed with beds monitored is reported "stopped"."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
STATION = Path(__file__).with_name("watchdog_station.py")


def run_station(report: Path, mode: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.Popen([sys.executable, str(STATION), str(report), mode], env=env, cwd=PROJECT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for(report: Path, pattern: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = report.read_text(encoding="utf-8") if report.exists() else ""
        if re.search(pattern, text):
            return text
        time.sleep(0.1)
    raise AssertionError(f"{pattern!r} not reported in {timeout} s; report:\n{text}")


def watchdog_pid(report: Path) -> int | None:
    text = report.read_text(encoding="utf-8") if report.exists() else ""
    found = re.search(r"WATCHDOG started pid (\d+)", text)
    return int(found.group(1)) if found else None


def stop(pid: int | None) -> None:
    if pid is None:
        return
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.slow
def test_a_frozen_gui_thread_is_reported_and_recovers(tmp_path: Path) -> None:
    report = tmp_path / "watchdog.log"
    station = run_station(report, "freeze")
    try:
        text = wait_for(report, r"ALARM frozen: Monitoring display frozen", timeout=30)
        assert "WATCHDOG started" in text
        wait_for(report, r"CLEAR display updating again", timeout=20)
        assert station.wait(timeout=30) == 0
        pid = watchdog_pid(report)
        assert pid is not None and gone(pid, 10), "the watchdog should exit after a clean goodbye"
    finally:
        station.kill()
        station.wait()
        stop(watchdog_pid(report))


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.slow
def test_a_killed_station_is_reported_stopped(tmp_path: Path) -> None:
    report = tmp_path / "watchdog.log"
    station = run_station(report, "die")
    try:
        wait_for(report, r"ALARM stopped: Monitoring stopped", timeout=30)
        assert station.wait(timeout=10) == -signal.SIGKILL
        pid = watchdog_pid(report)
        assert pid is not None and not gone(pid, 0.5), "the alarm stays until acknowledged"
    finally:
        station.kill()
        station.wait()
        stop(watchdog_pid(report))
