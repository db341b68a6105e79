"""The main window on a real data folder: start-up, status bar, dialogs and restored state."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSize, QTimer
from PySide6.QtWidgets import QLabel, QMessageBox, QProgressBar, QPushButton, QTableWidget
from pytestqt.qtbot import QtBot

from hms_desktop.storage import Store
from hms_desktop.ui.shell.quarantine_dialog import QuarantineDialog
from tests.shell_fixture_tables import SHELL_NOTES, ShellNote
from tests.ui.shell_helpers import *  # noqa: F403 (pytest fixtures make_window, shell_tables)
from tests.ui.shell_helpers import find

TAB_TITLES = ["Patients", "Record", "Schedule", "Monitor"]


def _titles(window) -> list[str]:
    return [window.tabs.tabText(i) for i in range(window.tabs.count())]


@pytest.mark.slow
def test_window_shows_at_once_and_fills_tabs_after_loading_in_background(make_window, qtbot: QtBot) -> None:
    window = make_window(start=False)
    gate = threading.Event()
    window.controller.writer.submit(gate.wait, 10)  # a slow disk: the writer is busy
    progress: list[tuple[str, float]] = []
    window.controller.sig_progress_reported.connect(lambda s, f: progress.append((s, f)))
    window.controller.start()
    qtbot.wait(50)
    # The window is up and responsive while the folder is still opening.
    assert window.isVisible() and window.ctx is None
    assert _titles(window) == TAB_TITLES
    assert find(window, "Patients tab loading").isVisible()
    assert isinstance(find(window, "Start-up progress"), QProgressBar)
    # The tabs are usable once the patients are loaded; the other tables follow in the background.
    with qtbot.waitSignals([window.sig_tabs_created, window.controller.sig_tables_loaded], timeout=20000):
        gate.set()
    assert window.ctx is not None
    assert _titles(window) == TAB_TITLES
    # Every loading page was replaced by the tab itself (or its "not available" placeholder).
    for index, title in enumerate(TAB_TITLES):
        assert window.tabs.widget(index).accessibleName() != f"{title} tab loading"
    assert [s for s, _ in progress][:1] == [f"Opening {window.controller.data_dir}"]
    assert "Loading shell_notes" in [s for s, _ in progress] and progress[-1] == ("Ready", 1.0)
    fractions = [f for _, f in progress]
    assert fractions == sorted(fractions)  # the bar only moves forward
    assert not find(window, "Start-up progress").isVisible()
    assert str(window.controller.data_dir) in find(window, "Data folder").text()
    assert not find(window, "Read-only notice").isVisible()
    assert not find(window, "Quarantine notice").isVisible()


@pytest.mark.slow
def test_second_instance_is_read_only_and_says_so(make_window, data_dir: Path) -> None:
    first = make_window()
    second = make_window(data_dir)
    assert not first.ctx.read_only
    assert second.ctx.read_only
    notice = find(second, "Read-only notice")
    assert notice.isVisible() and "READ-ONLY" in notice.text()
    assert "process" in notice.toolTip()  # who holds the folder
    assert second.windowTitle().endswith("[read-only]")
    assert not second.action_settings.isEnabled()


def test_quarantine_notice_opens_the_list_of_bad_rows(make_window, data_dir: Path, qtbot: QtBot) -> None:
    store = Store(data_dir)
    store.table(SHELL_NOTES).insert_many([
        ShellNote(patient_id="PAT000001", written_on=date(2026, 1, 5), text="fine"),
        ShellNote(patient_id="PAT000002", written_on=date(2026, 1, 6), text="also fine"),
    ])
    store.close()
    csv = data_dir / "shell_notes.csv"
    lines = csv.read_text(encoding="utf-8-sig").splitlines()
    lines[2] = lines[2].replace("2026-01-06", "2026-02-30")  # hand-edited in a spreadsheet
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")

    window = make_window()
    assert len(window.ctx.store.table(SHELL_NOTES)) == 1  # the good row still loads
    notice = find(window, "Quarantine notice")
    assert isinstance(notice, QPushButton) and notice.isVisible()
    assert "1 row(s) quarantined" in notice.text()
    notice.click()
    dialog = window.findChild(QuarantineDialog)
    assert dialog is not None and dialog.isVisible()
    table = find(dialog, "Quarantined rows table")
    assert isinstance(table, QTableWidget) and table.rowCount() == 1
    cells = [table.item(0, c).text() for c in range(4)]
    assert cells[0] == "shell_notes.csv" and cells[1] == "3"
    assert "written_on" in cells[2] and "2026-02-30" in cells[3]


def test_geometry_and_last_tab_are_restored(make_window, tmp_path: Path) -> None:
    # Not started: the loading pages have no minimum size, so the offscreen 800x600 screen
    # does not clamp the geometry (real tabs would).
    ini = tmp_path / "state.ini"
    first = make_window(ini=ini, start=False)
    first.show_tab("Schedule")
    first.setGeometry(QRect(31, 47, 700, 480))
    first.close()
    second = make_window(ini=ini, start=False)
    assert second.tabs.tabText(second.tabs.currentIndex()) == "Schedule"
    assert second.size() == QSize(700, 480)
    fresh = make_window(ini=tmp_path / "other.ini", start=False)
    assert fresh.size() != QSize(700, 480) and fresh.tabs.currentIndex() == 0


def test_a_failed_save_opens_a_message_naming_what_was_lost(make_window, qtbot: QtBot) -> None:
    window = make_window()

    def disk_full() -> None:
        raise OSError(28, "No space left on device")

    window.ctx.run(disk_full, what="appointment for PAT000009")
    qtbot.waitUntil(lambda: any(b.isVisible() for b in window.findChildren(QMessageBox)), timeout=3000)
    box = find(window, "Not saved")
    assert "Not saved: appointment for PAT000009" in box.text()
    assert "disk is full" in box.text()
    assert "Not saved: appointment for PAT000009" in window.statusBar().currentMessage()
    assert window.isEnabled()  # non-blocking box: live monitoring keeps drawing behind it


@pytest.mark.slow
def test_open_patient_switches_to_the_record_tab(make_window) -> None:
    window = make_window()
    window.ctx.navigation.open_patient("PAT000003")
    assert window.tabs.tabText(window.tabs.currentIndex()) == "Record"
    assert window.ctx.current_patient.patient_id == "PAT000003"


def test_folder_that_cannot_be_opened_is_reported(make_window, tmp_path: Path, qtbot: QtBot) -> None:
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("x")
    window = make_window(not_a_folder, wait=False)
    qtbot.waitUntil(lambda: any(b.isVisible() for b in window.findChildren(QMessageBox)), timeout=5000)
    assert "Could not open the data folder" in find(window, "Could not open data folder").text()
    label = find(window, "Patients tab error")
    assert isinstance(label, QLabel) and "could not start" in label.text()


def test_closing_tells_tabs_first_and_their_last_writes_still_land(make_window, data_dir: Path) -> None:
    window = make_window()
    ctx = window.ctx
    ctx.sig_closing.connect(
        lambda: ctx.run(ctx.store.table(SHELL_NOTES).insert,
                        ShellNote(patient_id="PAT000001", written_on=date(2026, 6, 1), text="last"),
                        what="last note"))
    window.close()
    store = Store(data_dir)  # the lock was released and the note is on disk
    try:
        assert not store.read_only
        assert [n.text for n in store.table(SHELL_NOTES).all()] == ["last"]
    finally:
        store.close()


def test_quarantine_list_is_reachable_from_the_keyboard_menu(make_window) -> None:
    window = make_window()
    assert window.action_quarantine.text() == "&Quarantined rows…"
    window.action_quarantine.trigger()
    dialog = window.findChild(QuarantineDialog)
    assert dialog is not None and find(dialog, "Quarantined rows table").rowCount() == 0


def test_rows_quarantined_after_start_up_show_on_the_next_change(make_window, data_dir: Path,
                                                                 qtbot: QtBot) -> None:
    from datetime import UTC, datetime

    from hms_desktop.services.bus import Change
    from tests.shell_fixture_tables import ShellTick

    window = make_window()
    ctx = window.ctx
    ticks = ctx.store.day_log("shell_ticks", ShellTick)
    ticks.append([ShellTick(at=datetime(2026, 7, 1, 8, tzinfo=UTC), value=1)])
    with open(data_dir / "shell_ticks" / "2026-07-01.csv", "a", encoding="utf-8") as handle:
        handle.write("garbage line\n")
    ticks.read(datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 7, 2, tzinfo=UTC))
    assert not find(window, "Quarantine notice").isVisible()
    with qtbot.waitSignal(ctx.changes.sig_changed, timeout=3000):
        ctx.writer.submit(ctx.bus.publish, Change(table="shell_ticks", ids=(), op="append"))
    assert find(window, "Quarantine notice").isVisible()


def test_visible_tab_is_created_first_and_events_run_between_tabs(
        make_window, tmp_path: Path, qtbot: QtBot, monkeypatch) -> None:
    import hms_desktop.ui.main_window as main_window

    ini = tmp_path / "ui.ini"
    first = make_window(ini=ini, start=False)
    first.show_tab("Schedule")
    first.close()
    order: list[str] = []
    original = main_window.create_tab

    def recording(title: str, package: str, ctx):
        order.append(title)
        if title == "Schedule":  # something the user did while this tab was being built
            QTimer.singleShot(0, lambda: order.append("event"))
        return original(title, package, ctx)

    monkeypatch.setattr(main_window, "create_tab", recording)
    window = make_window(ini=ini)
    assert order[:3] == ["Schedule", "event", "Patients"]
    assert sorted(t for t in order if t != "event") == sorted(TAB_TITLES)
    assert window.tabs.tabText(window.tabs.currentIndex()) == "Schedule"


def test_open_data_folder_releases_this_folder_before_the_new_instance_starts(
        make_window, data_dir: Path, tmp_path: Path) -> None:
    seen: list[tuple[Path, bool]] = []

    def relaunch(folder: Path) -> None:
        probe = Store(data_dir)  # the old folder must be free for whoever opens it next
        seen.append((folder, probe.read_only))
        probe.close()

    window = make_window(relaunch=relaunch)
    other = tmp_path / "other clinic"
    window.open_data_folder(other)
    assert seen == [(other, False)]
    assert not window.isVisible()


def test_a_request_made_while_tabs_are_still_built_reaches_the_later_tab(
        make_window, qtbot: QtBot, monkeypatch) -> None:
    import hms_desktop.ui.main_window as main_window

    original = main_window.create_tab
    heard: list[dict] = []

    def tabs(title: str, package: str, ctx):
        widget = original(title, package, ctx)
        if title == "Patients":  # built first; asks for a booking at once
            ctx.navigation.request_booking(patient_id="PAT000001", reason="review")
        if title == "Schedule":  # built later; only now listening
            ctx.navigation.sig_booking_requested.connect(heard.append)
        return widget

    monkeypatch.setattr(main_window, "create_tab", tabs)
    make_window()
    assert heard == [{"patient_id": "PAT000001", "reason": "review"}]
