"""The watchdog process: ``python -m hms_desktop.ui.shell.watchdog_process [--report FILE]``.

Started by the app (``watchdog_client``) when beds are monitored; reads heartbeats on stdin
and, when the station freezes or dies, shows a red always-on-top window and sounds the
high-priority tone every few seconds until the display recovers or someone acknowledges
(the rules are ``hms_desktop/monitoring/watchdog.py``). Its own process, so a frozen or crashed station cannot
silence it. ``--report`` appends one line per alarm and recovery (tests, and a log a
technician can read afterwards).
"""

from __future__ import annotations

import argparse
import os
import queue
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QVBoxLayout, QWidget

from hms_desktop.monitoring.watchdog import TIMEOUT_S, Condition, WatchdogState

CLOSED = object()  # the reader's mark for "stdin reached end of file"
SOUND_EVERY_S = 5.0


def _read_lines(stream: object, lines: queue.Queue[object]) -> None:
    for raw in iter(stream.readline, b""):  # type: ignore[attr-defined]
        lines.put(raw.decode("utf-8", "replace"))
    lines.put(CLOSED)


class WatchdogWindow(QWidget):
    def __init__(self) -> None:
        super().__init__(None, Qt.WindowType.WindowStaysOnTopHint)
        self.setObjectName("watchdog_alarm")
        self.setAccessibleName("Station watchdog alarm")
        self.setWindowTitle("HMS Desktop — station watchdog")
        self.setStyleSheet("background: #b00020; color: white;")
        self.title = QLabel()
        self.title.setAccessibleName("watchdog alarm title")
        font = self.title.font()
        font.setPointSize(24)
        font.setBold(True)
        self.title.setFont(font)
        self.advice = QLabel()
        self.advice.setAccessibleName("watchdog alarm advice")
        self.advice.setWordWrap(True)
        self.acknowledge = QPushButton("&Acknowledge")
        self.acknowledge.setAccessibleName("acknowledge watchdog alarm")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.advice)
        layout.addWidget(self.acknowledge)


class Watchdog:
    def __init__(self, report: Path | None, timeout_s: float) -> None:
        self.state = WatchdogState(started_at=time.monotonic(), timeout_s=timeout_s)
        self.report = report
        self.lines: queue.Queue[object] = queue.Queue()
        self.window = WatchdogWindow()
        self.window.acknowledge.clicked.connect(self._acknowledged)
        self.sound = _speaker()
        self.last_sound = 0.0
        self.silenced_until = 0.0
        self.shown: Condition | None = None
        reader = threading.Thread(target=_read_lines, args=(sys.stdin.buffer, self.lines),
                                  name="watchdog stdin", daemon=True)
        reader.start()
        self.timer = QTimer()
        self.timer.setInterval(200)
        self.timer.timeout.connect(self.poll)
        self.timer.start()
        self._say(f"WATCHDOG started pid {os.getpid()}")

    def poll(self) -> None:
        now = time.monotonic()
        while True:
            try:
                line = self.lines.get_nowait()
            except queue.Empty:
                break
            if line is CLOSED:
                self.state.on_closed()
            else:
                self.state.on_line(str(line), now)
        condition = self.state.check(now)
        if condition is not self.shown:
            self._show(condition, now)
        if condition is not None and now >= self.silenced_until and now - self.last_sound >= SOUND_EVERY_S:
            self.last_sound = now
            self.sound()
        if self.state.finished:
            QApplication.quit()

    def _show(self, condition: Condition | None, now: float) -> None:
        self.shown = condition
        if condition is None:
            self._say("CLEAR display updating again")
            self.window.hide()
            return
        title, advice = self.state.message(now)
        self._say(f"ALARM {condition.value}: {title}")
        self.window.title.setText(f"*** {title.upper()}")
        self.window.advice.setText(advice)
        self.window.showMaximized()
        self.window.raise_()
        self.last_sound = 0.0  # sound at once

    def _acknowledged(self) -> None:
        self._say("ACKNOWLEDGED")
        if self.state.condition is Condition.STOPPED:
            QApplication.quit()  # nothing left to watch: the station is gone
            return
        self.silenced_until = time.monotonic() + 120.0  # visual stays; sound again after 2 min

    def _say(self, text: str) -> None:
        line = f"{datetime.now().isoformat(timespec='seconds')} {text}\n"
        sys.stderr.write(line)
        if self.report is not None:
            with self.report.open("a", encoding="utf-8") as out:
                out.write(line)


def _speaker() -> Callable[[], None]:
    """The station's high-priority tone when this machine can play it, the system bell otherwise."""
    try:
        from hms_desktop.domain.alarm_limits import Priority
        from hms_desktop.ui.monitor.sound import QtAlarmSound

        sound = QtAlarmSound()
        if sound.available:
            return lambda: sound.play(Priority.HIGH)
    except Exception:  # noqa: BLE001 - any audio problem falls back to the bell
        pass
    return QApplication.beep


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hms-desktop-watchdog")
    parser.add_argument("--report", type=Path, default=None)
    parser.add_argument("--timeout", type=float, default=TIMEOUT_S)
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    watchdog = Watchdog(args.report, args.timeout)
    code = int(app.exec())
    watchdog.timer.stop()
    return code


if __name__ == "__main__":
    sys.exit(main())
