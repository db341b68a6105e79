"""Takes resources/screenshot.png of the real window on a demo data folder.

Run under a virtual X server so fonts and styles are the real ones:
    xvfb-run -a -s "-screen 0 1400x900x24" python resources/take_screenshot.py [TAB] [FILE]
TAB is the tab to show (default Monitor, live from the demo device); FILE defaults to
resources/screenshot.png.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hms_desktop.ui.main_window import MainWindow  # noqa: E402
from hms_desktop.ui.shell.session_controller import SessionController  # noqa: E402

SETTLE_MS = 12000  # let live views draw a few seconds of data


def main() -> int:
    app = QApplication([sys.argv[0]])
    with tempfile.TemporaryDirectory() as tmp:
        controller = SessionController(Path(tmp) / "data", demo_if_empty=True, demo_patients=300,
                                       demo_seed=11)
        window = MainWindow(controller,
                            qsettings=QSettings(str(Path(tmp) / "ui.ini"), QSettings.Format.IniFormat),
                            relaunch=lambda _f: None)
        window.resize(1280, 800)
        window.show()

        tab = sys.argv[1] if len(sys.argv) > 1 else "Monitor"
        target = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "resources" / "screenshot.png"

        def shoot() -> None:
            window.grab().save(str(target))
            print(f"saved {target}")
            window.close()

        controller.sig_context_ready.connect(lambda _ctx: window.show_tab(tab))
        controller.sig_context_ready.connect(lambda _ctx: QTimer.singleShot(SETTLE_MS, shoot))
        controller.start()
        return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
