"""The composition root: options, the nurse-station hook, and a full start and quit."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from hms_desktop import app
from hms_desktop.ui.main_window import MainWindow
from tests.ui.shell_helpers import *  # noqa: F403 (pytest fixtures make_window, shell_tables)


def test_monitor_option_is_checked_and_repeatable() -> None:
    args = app.build_parser().parse_args(
        ["--monitor", "1=/dev/ttyUSB0@cms50:PAT000001", "--monitor", "2=socket://h:7000", "--station"])
    assert args.monitor == ["1=/dev/ttyUSB0@cms50:PAT000001", "2=socket://h:7000"]
    assert args.station and args.demo_if_empty


def test_bad_monitor_spec_names_the_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        app.build_parser().parse_args(["--monitor", "/dev/ttyUSB0"])
    assert "--monitor '/dev/ttyUSB0': expected BED=PORT" in capsys.readouterr().err


def test_relaunch_keeps_options_but_replaces_the_folder() -> None:
    assert app._without_option(["--data-dir", "a", "--station", "--data-dir=b", "--no-demo"], "--data-dir") == [
        "--station", "--no-demo"]


def test_relaunch_on_a_folder_or_a_server_drops_the_other() -> None:
    argv = ["--database", "postgresql://localhost/a", "--station", "--database=postgresql://x/b", "--no-demo"]
    assert app._without_option(argv, "--database") == ["--station", "--no-demo"]


def test_default_data_folder_is_beside_main_py() -> None:
    assert app.default_data_dir() == Path(app.__file__).resolve().parent.parent / "data"


def test_main_starts_loads_and_quits_cleanly(data_dir: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    monkeypatch.setenv("HMS_EXTRA_STORAGE_MODULES", "tests.shell_fixture_tables")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    seen: dict[str, object] = {}

    def close_when_ready() -> None:
        # Visible only: windows of earlier tests may linger (closed, not yet deleted).
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if windows and windows[0].ctx is not None:
            seen["title"] = windows[0].windowTitle()
            seen["tabs"] = [windows[0].tabs.tabText(i) for i in range(windows[0].tabs.count())]
            windows[0].close()
        else:
            QTimer.singleShot(20, close_when_ready)

    QTimer.singleShot(0, close_when_ready)
    assert app.main(["--data-dir", str(data_dir), "--no-demo"]) == 0
    assert seen["tabs"] == ["Patients", "Record", "Schedule", "Monitor"]
    assert str(data_dir) in str(seen["title"])
    # The folder was released on quit: another writer can take it.
    from hms_desktop.storage import Store

    store = Store(data_dir)
    assert not store.read_only
    store.close()


# 0.1 s lands while the window is being built for the folder that just opened: a close run
# in the middle of that left the first-administrator dialog keeping the program alive.
@pytest.mark.parametrize("delay", [0.1, 0.6])
@pytest.mark.slow
def test_sigterm_closes_the_app_cleanly(data_dir: Path, delay: float) -> None:
    import json
    import os
    import signal
    import subprocess
    import time

    root = Path(app.__file__).resolve().parent.parent
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "HMS_EXTRA_STORAGE_MODULES": "tests.shell_fixture_tables",
           "XDG_CONFIG_HOME": str(data_dir.parent / "config")}
    proc = subprocess.Popen([sys.executable, "main.py", "--data-dir", str(data_dir), "--no-demo"],
                            cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        lock = data_dir / ".lock"
        while time.monotonic() < deadline:
            if lock.exists() and lock.read_text().strip():
                assert json.loads(lock.read_text())["pid"] == proc.pid
                break
            time.sleep(0.05)
        else:
            pytest.fail("the app never opened its data folder")
        time.sleep(delay)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0, proc.stdout.read().decode() if proc.stdout else ""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()
    from hms_desktop.storage import Store

    store = Store(data_dir)
    assert not store.read_only  # exit code 0 above shows it was a normal close, not a death
    store.close()


def test_station_window_is_kept_and_closes_with_the_main_window(
        monkeypatch: pytest.MonkeyPatch, qtbot: QtBot, make_window) -> None:
    from PySide6.QtWidgets import QWidget

    window = make_window()
    station_window = QWidget()
    station_window.setObjectName("station")
    station_window.setAccessibleName("Nurse station")
    qtbot.addWidget(station_window)
    station = types.ModuleType("hms_desktop.ui.monitor.station")
    station.start_station = lambda ctx, specs, screen: (station_window.show(), station_window)[1]  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "hms_desktop.ui.monitor.station", station)
    app.open_station(window, window.ctx, ["1=/dev/ttyUSB0"], None)
    assert station_window.isVisible()
    window.close()
    assert not station_window.isVisible()


def test_bad_station_option_is_shown_not_raised(monkeypatch: pytest.MonkeyPatch, make_window) -> None:
    from PySide6.QtWidgets import QMessageBox

    from tests.ui.shell_helpers import find

    def refuse(ctx: object, specs: list[str], screen: int | None) -> None:
        raise ValueError("--screen 3: this machine has screens 0..0")

    window = make_window()
    station = types.ModuleType("hms_desktop.ui.monitor.station")
    station.start_station = refuse  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "hms_desktop.ui.monitor.station", station)
    app.open_station(window, window.ctx, [], 3)
    box = find(window, "Nurse station not started")
    assert isinstance(box, QMessageBox) and "--screen 3" in box.text()
