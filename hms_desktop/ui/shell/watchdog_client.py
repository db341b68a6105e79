"""The app's side of the station watchdog: starts the watchdog process while beds are
monitored and sends it a heartbeat from a GUI-thread timer (see ``hms_desktop/monitoring/watchdog.py``).

The heartbeat is written by the GUI thread itself, so it stops exactly when the GUI thread
stops (a deadlock, a long stall). Writes never block: the pipe is non-blocking and a full
pipe just drops a beat. The watchdog runs in its own session, so Ctrl+C in the terminal
that started the app does not take it down with the app.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from hms_desktop.monitoring.watchdog import BEAT_INTERVAL_S, TIMEOUT_S

log = logging.getLogger(__name__)


def watchdog_command(report: Path | None = None, timeout_s: float = TIMEOUT_S) -> list[str]:
    command = [sys.executable, "-m", "hms_desktop.ui.shell.watchdog_process", "--timeout", str(timeout_s)]
    if report is not None:
        command += ["--report", str(report)]
    return command


class WatchdogClient(QObject):
    def __init__(self, *, command: list[str] | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("watchdog_client")
        self.command = command or watchdog_command()
        self.process: subprocess.Popen[bytes] | None = None
        self.beds = 0
        self._timer = QTimer(self)
        self._timer.setInterval(int(BEAT_INTERVAL_S * 1000))
        self._timer.timeout.connect(self.beat)

    def set_monitored_beds(self, count: int) -> None:
        """Start watching when the first bed is monitored; say goodbye after the last."""
        if count == self.beds and (count == 0 or self._alive()):
            return
        self.beds = count
        if count > 0:
            if not self._alive():
                self._start()
            self._send(f"beds {count}")
        else:
            self.stop()

    def beat(self) -> None:
        if self.beds > 0 and not self._alive():  # the watchdog itself died: start a new one
            log.warning("the station watchdog exited; starting it again")
            self._start()
            self._send(f"beds {self.beds}")
        self._send("beat")

    def stop(self) -> None:
        """A clean goodbye: the watchdog exits without an alarm."""
        self._timer.stop()
        process, self.process = self.process, None
        if process is None:
            return
        self._write(process, "bye")
        try:
            if process.stdin is not None:
                process.stdin.close()
            process.wait(timeout=2.0)
        except (OSError, subprocess.TimeoutExpired):
            log.warning("the station watchdog did not exit after goodbye; stopping it")
            process.kill()
            process.wait(timeout=2.0)

    def _start(self) -> None:
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parents[3])  # a source checkout's project folder
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
        try:
            self.process = subprocess.Popen(self.command, stdin=subprocess.PIPE, env=env,
                                            start_new_session=True)
        except OSError:
            log.exception("could not start the station watchdog")
            self.process = None
            return
        assert self.process.stdin is not None
        try:
            os.set_blocking(self.process.stdin.fileno(), False)
        except OSError:  # Windows pipes before Python 3.12: a beat is a few bytes, rarely blocks
            log.info("watchdog pipe stays blocking on this platform")
        self._timer.start()

    def _alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def _send(self, word: str) -> None:
        if self.process is not None:
            self._write(self.process, word)

    @staticmethod
    def _write(process: subprocess.Popen[bytes], word: str) -> None:
        if process.stdin is None or process.stdin.closed:
            return
        try:
            os.write(process.stdin.fileno(), f"{word}\n".encode())
        except (BlockingIOError, BrokenPipeError, OSError):
            pass  # a full pipe drops one beat; a dead watchdog is restarted on the next beat
