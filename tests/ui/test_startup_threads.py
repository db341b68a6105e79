"""Start-up never imports a Qt-touching module off the GUI thread.

PySide6 creates its types and enums lazily and not thread-safely. When the writer imported
pyqtgraph (which copies every Qt name at import) while the GUI thread was in the event loop,
the installed app died with SIGSEGV in about one start in 40 (the installer's smoke test
caught it). The app is started here for real, every tab built, with an import finder that
only records which thread asked for each module.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

DRIVER = r"""
import sys, threading

QT_TOUCHING = ("PySide6", "shiboken6", "pyqtgraph", "hms_desktop.ui")
off_gui_thread = []

class RecordThread:
    def find_spec(self, name, path=None, target=None):
        thread = threading.current_thread()
        if thread is not threading.main_thread() and name.startswith(QT_TOUCHING):
            off_gui_thread.append(f"{name} on {thread.name}")
        return None

sys.meta_path.insert(0, RecordThread())
from hms_desktop.app import main
code = main(sys.argv[1:])
print("OFF-GUI-THREAD:", ";".join(off_gui_thread))
sys.exit(code)
"""


@pytest.mark.slow
def test_the_app_starts_without_importing_qt_modules_on_background_threads(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path),
           "HMS_LOG_DIR": str(tmp_path / "logs"), "PYTHONPATH": str(ROOT)}
    folder = ["--data-dir", str(tmp_path / "data"), "--quit-when-ready"]
    for start, args in (("first start, demo data", [*folder, "--demo-patients", "30"]),
                        ("second start", folder)):
        done = subprocess.run([sys.executable, "-c", DRIVER, *args], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=240)
        assert done.returncode == 0, f"{start}: {done.stderr[-3000:]}"
        report = [line for line in done.stdout.splitlines() if line.startswith("OFF-GUI-THREAD:")]
        assert report == ["OFF-GUI-THREAD: "], f"{start}: {report}"


MADE_TYPES = r"""
import PySide6.QtCore as core, PySide6.QtGui as gui, PySide6.QtWidgets as widgets
from hms_desktop.ui.shell.session_controller import import_plotting
import_plotting()
# shiboken puts a type in its module's __dict__ once it has made it
print(sorted(f"{m.__name__}.{n}" for m in (core, gui, widgets) for n in dir(m) if n not in m.__dict__))
"""


@pytest.mark.slow  # ~1.2 s: a fresh interpreter importing Qt and pyqtgraph
def test_the_start_up_import_makes_every_qt_type_a_worker_thread_may_meet(tmp_path: Path) -> None:
    """A PDF laid out on a query thread meets Qt types (a text document's layout) the GUI
    thread never used; app.main's import_plotting must have made them all beforehand."""
    done = subprocess.run([sys.executable, "-c", MADE_TYPES], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)},
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "[]"
