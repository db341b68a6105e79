"""Logs and crash reports: real files, real subprocesses, and no patient names in them."""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from hms_desktop.services import diagnostics
from hms_desktop.services.session import close_session, open_session
from hms_desktop.storage.csvfile import read_records

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def logs(tmp_path: Path) -> object:
    saved = sys.excepthook, threading.excepthook
    folder = diagnostics.setup_logging(tmp_path / "logs")
    yield folder
    root = logging.getLogger()
    if diagnostics._State.handler is not None:
        root.removeHandler(diagnostics._State.handler)
        diagnostics._State.handler.close()
        diagnostics._State.handler = None
    sys.excepthook, threading.excepthook = saved
    diagnostics.set_name_source(None)
    diagnostics.REDACTOR._names = frozenset()


def _patient_names(data_dir: Path) -> set[str]:
    header, records = read_records(data_dir / "patients.csv")
    given, family = header.index("given_name"), header.index("family_name")
    return {r.cells[given] for r in records} | {r.cells[family] for r in records}


@pytest.mark.slow
def test_names_are_redacted_and_ids_kept(logs: Path, tmp_path: Path) -> None:
    session = open_session(tmp_path / "data", demo_if_empty=True, demo_patients=30, demo_seed=4)
    try:
        diagnostics.set_name_source(diagnostics.patient_names(session.services))
        patient = session.services.patients.table.all()[0]
        # What AppContext logs when a save fails: "not saved: patient <full name>: <reason>".
        logging.getLogger("hms_desktop.ui.context").warning(
            "not saved: %s: %s", f"patient {patient.given_name} {patient.family_name}",
            f"{patient.id} already exists")
        try:
            raise ValueError(f"cannot merge {patient.family_name}")
        except ValueError:
            logging.getLogger("test").exception("merge failed for %s", patient.id)
    finally:
        close_session(session)
    text = (logs / diagnostics.LOG_FILE).read_text(encoding="utf-8")
    assert f"not saved: patient ‹name› ‹name›: {patient.id} already exists" in text
    assert "ValueError: cannot merge ‹name›" in text
    assert patient.family_name not in text and patient.given_name not in text


def test_an_uncaught_exception_writes_a_report_and_tells_the_listeners(logs: Path) -> None:
    heard: list[tuple[str, Path | None]] = []
    undo = diagnostics.on_crash(lambda summary, path: heard.append((summary, path)))
    try:
        thread = threading.Thread(target=lambda: 1 / 0, name="worker-that-fails")
        thread.start()
        thread.join()
    finally:
        undo()
    (summary, report), = heard
    assert summary == "ZeroDivisionError: division by zero"
    assert report is not None and report.parent == logs
    text = report.read_text(encoding="utf-8")
    assert "thread: worker-that-fails" in text and "1 / 0" in text
    assert "uncaught ZeroDivisionError in thread worker-that-fails" in (logs / diagnostics.LOG_FILE).read_text()


NATIVE_CRASH = """
import faulthandler, sys
from hms_desktop.services import diagnostics
diagnostics.setup_logging()
faulthandler._sigsegv()
"""


def test_a_native_crash_leaves_a_python_stack_in_the_log_folder(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), diagnostics.ENV_LOG_DIR: str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", NATIVE_CRASH], env=env, cwd=ROOT,
                            capture_output=True, timeout=60)
    assert result.returncode == -signal.SIGSEGV
    text = (tmp_path / diagnostics.NATIVE_CRASH_FILE).read_text()
    assert "Fatal Python error: Segmentation fault" in text and "<module>" in text


def test_logs_go_to_the_platform_log_folder_on_each_os(monkeypatch: pytest.MonkeyPatch) -> None:
    from hms_desktop.services import user_folders

    monkeypatch.delenv(diagnostics.ENV_LOG_DIR, raising=False)
    monkeypatch.setattr(sys, "platform", "darwin")
    assert diagnostics.log_dir() == Path.home() / "Library" / "Logs" / "HMS Desktop"
    assert user_folders.user_data_dir() == (Path.home() / "Library" / "Application Support"
                                            / "HMS Desktop" / "data")
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_STATE_HOME", "/home/ann/.local/state")
    monkeypatch.setenv("XDG_DATA_HOME", "/home/ann/.local/share")
    assert diagnostics.log_dir() == Path("/home/ann/.local/state/HMS Desktop/log")
    assert user_folders.user_data_dir() == Path("/home/ann/.local/share/HMS Desktop/data")
    # Windows: platformdirs asks the shell for %LOCALAPPDATA%; here it answers from a stand-in.
    import platformdirs.windows

    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(platformdirs.windows, "get_win_folder",
                        lambda csidl: {"CSIDL_LOCAL_APPDATA": "/Users/ann/AppData/Local"}[csidl])
    assert user_folders.user_data_dir() == Path("/Users/ann/AppData/Local/HMS Desktop/HMS Desktop/data")
    assert diagnostics.log_dir() == Path("/Users/ann/AppData/Local/HMS Desktop/HMS Desktop/Logs")


@pytest.mark.slow
def test_a_full_demo_session_of_the_real_app_logs_no_patient_names(tmp_path: Path) -> None:
    """The installed entry point, on a fresh folder, until every tab is open; then grep."""
    data, log_folder = tmp_path / "data", tmp_path / "logs"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
           diagnostics.ENV_LOG_DIR: str(log_folder), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "QT_LOGGING_RULES": "*.debug=true;qt.multimedia*=false"}
    result = subprocess.run(
        [sys.executable, "-m", "hms_desktop", "--data-dir", str(data), "--demo-patients", "80",
         "--quit-when-ready"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-2000:]
    text = (log_folder / diagnostics.LOG_FILE).read_text(encoding="utf-8")
    assert "HMS Desktop starting" in text and " qt: [" in text  # Qt's own messages are routed in
    names = _patient_names(data)
    assert len(names) > 40
    leaked = sorted(n for n in names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text))
    assert not leaked, f"patient names in the log: {leaked[:10]}"
