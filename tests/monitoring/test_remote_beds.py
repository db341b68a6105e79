"""Remote beds: a bedside process with a device and a nurse station on one real server.

The bedside (tests/monitoring/remote_bedside.py) monitors a pty simulator through the real
device reader and reaches the server through a proxy the test can cut; the station is this
process, reading the board with ``StationWatcher`` straight from the server.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from hms_desktop.services.remote_beds import RemoteBed, StationWatcher
from tests.pg_proxy import CuttableProxy
from tests.pg_support import fresh_schema

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.postgres


def through(url: str, port: int) -> str:
    """``url`` via the proxy on this machine, its password left to a password file."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{port}"))


class Bedside:
    def __init__(self, url: str, folder: Path, password: str) -> None:
        passfile = folder / "pgpass"
        passfile.write_text(f"*:*:*:*:{password}\n")
        passfile.chmod(0o600)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.monitoring.remote_bedside", url, str(folder / "bedside"), "bedside-7"],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT), "PGPASSFILE": str(passfile),
                 "QT_QPA_PLATFORM": "offscreen"})
        self._reader = threading.Thread(target=self._read, name="bedside-out", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.strip())

    def expect(self, prefix: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            self.seen.append(line)
            if line.startswith(prefix):
                return line
        raise AssertionError(f"the bedside never said {prefix!r}; it said {self.seen[-20:]}")

    def send(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def quit(self) -> int:
        if self.process.poll() is None:
            self.send("quit")
            try:
                return self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self.process.wait()


class Station:
    def __init__(self, url: str) -> None:
        self.latest: list[RemoteBed] = []
        self._changed = threading.Condition()
        self.watcher = StationWatcher(url, self._on_beds)

    def _on_beds(self, beds: list[RemoteBed]) -> None:
        with self._changed:
            self.latest = beds
            self._changed.notify_all()

    def wait_for(self, what: str, test: Callable[[RemoteBed], bool], timeout: float = 60) -> RemoteBed:
        deadline = time.monotonic() + timeout
        with self._changed:
            while time.monotonic() < deadline:
                for bed in self.latest:
                    if test(bed):
                        return bed
                self._changed.wait(timeout=0.5)
        raise AssertionError(f"the station never showed {what}; it shows {self.latest}")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, CuttableProxy]]:
    with fresh_schema() as url:
        proxy = CuttableProxy(urlsplit(url).hostname or "localhost", urlsplit(url).port or 5432)
        try:
            yield url, proxy
        finally:
            proxy.close()


def test_the_station_shows_a_bedside_live_and_the_bedside_keeps_alarming_without_the_server(
        server: tuple[str, CuttableProxy], tmp_path: Path) -> None:
    url, proxy = server
    bedside = Bedside(through(url, proxy.port), tmp_path, urlsplit(url).password or "")
    station = Station(url)
    try:
        bedside.expect("ready", timeout=120)
        station.watcher.start()
        shown = station.wait_for("Bed 1 with the simulator's numerics",
                                 lambda b: b.row.spo2 == 97 and b.row.pulse_rate == 72)
        assert (shown.row.bed_name, shown.row.workstation, shown.row.patient_name) == (
            "Bed 1", "bedside-7", "Remote Bedside")
        assert not shown.stale and shown.row.alarm == ""

        bedside.send("pr 150")
        assert "Pulse rate high" in bedside.expect("alarm ")  # the bedside alarms locally …
        alarmed = station.wait_for("the PR-high alarm", lambda b: b.row.alarm_priority != "")
        assert "Pulse rate high" in alarmed.row.alarm and alarmed.row.pulse_rate == 150  # … and the station sees it

        proxy.cut()
        cut_at = time.time()
        bedside.expect("status PostgreSQL server unavailable")
        silent = station.wait_for("the bedside gone silent", lambda b: b.stale)
        assert silent.problem.startswith("Bed 1: no data from bedside-7 for ")
        bedside.send("pr 35")  # without the server the bedside still monitors and alarms
        low = bedside.expect("alarm ")
        assert "Pulse rate low" in low
        time.sleep(0.1)
        restored_at = time.time()
        proxy.restore()

        back = station.wait_for("the bed live again with the alarm raised offline",
                                lambda b: not b.stale and b.row.pulse_rate == 35)
        assert "Pulse rate low" in back.row.alarm
        bedside.expect("status the server is reachable again")
    finally:
        station.watcher.stop()
        code = bedside.quit()
    assert code == 0, bedside.seen[-20:]
    import psycopg

    with psycopg.connect(url) as conn:  # the seconds of the outage reached the server afterwards
        during = conn.execute("SELECT count(*) FROM series_vitals WHERE at_utc >= to_timestamp(%s) "
                              "AND at_utc < to_timestamp(%s)", (cut_at, restored_at)).fetchone()
        events = conn.execute("SELECT count(*) FROM series_alarms WHERE kind = 'pr_low'").fetchone()
    assert during is not None and during[0] >= 1
    assert events is not None and events[0] >= 1
