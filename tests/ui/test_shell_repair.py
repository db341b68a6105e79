"""File ▸ Repair data folder…: a folder with a lost file opens read-only, says why, and a
person's confirmed Repair makes it writable again, recorded with their name."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QListWidget, QPushButton
from pytestqt.qtbot import QtBot

from hms_desktop.storage import Store
from hms_desktop.storage import store as store_module
from hms_desktop.ui.shell.repair_dialog import RepairDialog
from tests.shell_fixture_tables import SHELL_NOTES, ShellNote
from tests.ui.shell_helpers import *  # noqa: F403 (pytest fixtures make_window, shell_tables)
from tests.ui.shell_helpers import find


def _notes(data_dir: Path) -> None:
    store = Store(data_dir)
    store.table(SHELL_NOTES).insert_many([
        ShellNote(patient_id="PAT000001", written_on=date(2026, 1, 5), text="fine"),
        ShellNote(patient_id="PAT000002", written_on=date(2026, 1, 6), text="also fine"),
    ])
    store.close()


@pytest.mark.slow
def test_a_lost_table_opens_read_only_and_a_confirmed_repair_records_who(make_window, data_dir: Path,
                                                                          qtbot: QtBot) -> None:
    _notes(data_dir)
    (data_dir / "shell_notes.csv").write_bytes(b"")  # emptied by accident
    relaunched: list[Path] = []
    window = make_window(relaunch=relaunched.append)
    notice = find(window, "Read-only notice")
    assert isinstance(notice, QLabel) and notice.isVisible()
    assert "shell_notes.csv" in notice.text() and "Repair" in notice.text()
    assert window.action_repair.isEnabled()

    window.action_repair.trigger()
    dialog = window.findChild(RepairDialog)
    assert dialog is not None and dialog.isVisible()
    steps = find(dialog, "What Repair will do")
    assert isinstance(steps, QListWidget)
    qtbot.waitUntil(lambda: "shell_notes.csv" in steps.item(0).text(), timeout=10000)
    confirm = find(dialog, "Repair")
    assert isinstance(confirm, QPushButton) and not confirm.isEnabled()  # nobody has confirmed yet
    name = find(dialog, "Confirmed by")
    assert isinstance(name, QLineEdit)
    qtbot.keyClicks(name, "Dr Grace Hopper")
    assert confirm.isEnabled()
    qtbot.mouseClick(confirm, Qt.MouseButton.LeftButton)
    # On success the window hands over to a fresh instance on the folder (and closes).
    qtbot.waitUntil(lambda: relaunched == [data_dir], timeout=90000)  # a loaded CI machine

    copies = list((data_dir / "repair").iterdir())
    assert len(copies) == 1 and "Dr Grace Hopper" in (copies[0] / "repair.txt").read_text()
    manifest = json.loads((data_dir / "manifest.json").read_text(encoding="utf-8-sig"))
    assert manifest["repairs"][-1]["by"] == "Dr Grace Hopper"
    store = Store(data_dir)
    assert not store.read_only, store.read_only_reason
    note = store.table(SHELL_NOTES).insert(ShellNote(patient_id="PAT000003", written_on=date(2026, 2, 1)))
    assert note.id == "SNT000003"  # the two lost notes' IDs are never given again
    store.close()


def test_the_discard_choice_is_shown_in_the_plan(make_window, data_dir: Path, qtbot: QtBot) -> None:
    _notes(data_dir)
    csv = data_dir / "shell_notes.csv"
    csv.write_text(csv.read_text(encoding="utf-8-sig").replace("2026-01-06", "06/01/2026"), encoding="utf-8")
    window = make_window()
    dialog = window.repair_data()
    assert dialog is not None
    steps = find(dialog, "What Repair will do")
    assert isinstance(steps, QListWidget)
    qtbot.waitUntil(lambda: any("keep in the file" in steps.item(i).text() for i in range(steps.count())),
                    timeout=10000)
    discard = find(dialog, "Discard rows that cannot be loaded")
    assert isinstance(discard, QCheckBox)
    discard.click()
    qtbot.waitUntil(lambda: any("discard (a copy is kept)" in steps.item(i).text()
                                for i in range(steps.count())), timeout=10000)


def test_low_free_space_shows_in_the_status_bar(make_window, data_dir: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "FREE_SPACE_FLOOR", shutil.disk_usage(data_dir).free * 2)
    window = make_window()
    notice = find(window, "Disk space warning")
    assert isinstance(notice, QLabel) and notice.isVisible()
    assert notice.toolTip().startswith("Low disk space:")


def test_repair_is_offered_only_to_those_who_may_back_up_and_restore(make_window, data_dir: Path) -> None:
    """A receptionist sees the menu item greyed, saying who may repair; an administrator
    signing in at the same window gets it back."""
    from hms_desktop.domain.accounts import Permission, Role, SignedInUser, denial_reason

    _notes(data_dir)
    (data_dir / "shell_notes.csv").write_bytes(b"")  # a lost table: the window opens read-only
    window = make_window()
    window.ctx.sign_in(SignedInUser("rita", "Rita Desk", frozenset({Role.RECEPTIONIST})))
    assert not window.action_repair.isEnabled()
    assert window.action_repair.toolTip() == denial_reason(Permission.BACKUP_RESTORE)
    window.ctx.sign_in(SignedInUser("adam", "Adam Admin", frozenset({Role.ADMINISTRATOR})))
    assert window.action_repair.isEnabled()
