"""The window on a big demo folder: the Patients tab searches while the record, care and
schedule tables are still loading behind it, and a record opened then is complete
(issue 18 item 1)."""

from __future__ import annotations

import csv
import io
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QProgressBar, QTableView
from pytestqt.qtbot import QtBot

from hms_desktop.services.session import close_session, open_session
from hms_desktop.ui.record.tab import RecordTab
from hms_desktop.ui.shell import session_controller
from tests.ui.patients.helpers import type_text
from tests.ui.shell_helpers import *  # noqa: F403 (pytest fixtures make_window, shell_tables)
from tests.ui.shell_helpers import find


@pytest.fixture(scope="module")
def big_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("big-demo") / "data"
    close_session(open_session(folder, demo_if_empty=True, demo_patients=1500, demo_seed=5))
    return folder


@pytest.mark.slow
def test_the_patients_tab_searches_before_the_record_tables_have_loaded(
        make_window: Any, big_demo: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    behind = threading.Event()  # holds the background load, as a slow disk would
    real_load = session_controller.load_deferred

    def held_load(*args: Any, **kwargs: Any) -> None:
        behind.wait(30)
        real_load(*args, **kwargs)

    monkeypatch.setattr(session_controller, "load_deferred", held_load)
    window = make_window(big_demo)
    try:
        store = window.ctx.store
        assert not store.is_loaded("observations") and not store.is_loaded("problems")
        assert find(window, "Start-up progress").isVisible()  # the rest is still loading
        tab = window.tabs.widget(0)
        assert isinstance(find(tab, "Patient list"), QTableView)
        edit = find(tab, "Search patients")
        assert isinstance(edit, QLineEdit)
        type_text(qtbot, edit, "PAT000012")
        model = find(tab, "Patient list").model()  # type: ignore[attr-defined]
        qtbot.waitUntil(lambda: model.rowCount() == 1 and model.patient_id(0) == "PAT000012", timeout=5000)
        assert not store.is_loaded("observations") and not store.is_loaded("problems")
        # Opening a record now shows it complete: its tables load on demand.
        header, *rows = csv.reader(io.StringIO((big_demo / "medications.csv").read_text(encoding="utf-8-sig")))
        pid = rows[0][header.index("patient_id")]
        expected = sum(row[header.index("patient_id")] == pid for row in rows)
        type_text(qtbot, edit, pid)
        qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=5000)
        qtbot.keyClick(edit, Qt.Key.Key_Return)  # Enter in the box moves to the list
        with qtbot.waitSignal(window.ctx.current_patient.sig_patient_changed, timeout=5000):
            qtbot.keyClick(find(tab, "Patient list"), Qt.Key.Key_Return)  # Enter opens the patient
        record_tab = window.findChild(RecordTab)
        page = record_tab.show_page("Medications")
        qtbot.waitUntil(lambda: find(page, "Medications list").model().rowCount() == expected, timeout=10000)
    finally:
        with qtbot.waitSignal(window.controller.sig_tables_loaded, timeout=60000):
            behind.set()
    assert store.is_loaded("observations") and store.is_loaded("problems")
    assert not find(window, "Start-up progress").isVisible()
    assert isinstance(find(window, "Start-up progress"), QProgressBar)
