"""A stand-in nurse station for the watchdog tests, run as a real subprocess:

``python tests/ui/watchdog_station.py REPORT freeze`` monitors two beds, freezes its GUI
thread for 8 s after 2 s, then quits cleanly; ``… REPORT die`` is killed (SIGKILL) after 2 s.
It uses the app's real WatchdogClient, so the watchdog is the real process the app starts.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from hms_desktop.ui.shell.watchdog_client import WatchdogClient, watchdog_command  # noqa: E402


def main() -> int:
    report, mode = Path(sys.argv[1]), sys.argv[2]
    app = QApplication([sys.argv[0]])
    client = WatchdogClient(command=watchdog_command(report))
    client.set_monitored_beds(2)
    if mode == "freeze":
        def freeze() -> None:
            time.sleep(8.0)  # the GUI thread is stuck: no heartbeats
            QTimer.singleShot(3000, app.quit)  # beat again for a while, then quit cleanly

        QTimer.singleShot(2000, freeze)
    else:
        QTimer.singleShot(2000, lambda: os.kill(os.getpid(), signal.SIGKILL))
    app.exec()
    client.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
