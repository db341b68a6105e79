"""File ▸ Back up now…, Backup settings… and Restore…, driven with qtbot on a real window."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from hms_desktop.services.backup import BackupPlan, save_plan
from hms_desktop.ui.shell.backup_dialogs import BackupSettingsDialog, RestoreDialog
from tests.ui.shell_helpers import *  # noqa: F403 (pytest fixtures make_window, shell_tables)
from tests.ui.shell_helpers import find

PASSPHRASE = "long enough passphrase"


def _set_up_and_back_up(window, qtbot: QtBot, usb: Path) -> None:  # type: ignore[no-untyped-def]
    window.backup_menu.action_back_up.trigger()  # not set up yet: the settings come first
    dialog = window.findChild(BackupSettingsDialog)
    assert dialog is not None and dialog.isVisible()
    assert "A lost passphrase means a lost backup" in find(dialog, "Lost passphrase warning").text()
    find(dialog, "Backup folder").setText(str(usb))
    passphrase, again = find(dialog, "Passphrase"), find(dialog, "Passphrase again")
    passphrase.setText("short")
    again.setText("short")
    qtbot.keyClick(passphrase, Qt.Key.Key_Return)
    assert "at least 8 characters" in find(dialog, "Problem").text() and dialog.isVisible()
    passphrase.setText(PASSPHRASE)
    again.setText(PASSPHRASE + "x")
    qtbot.keyClick(passphrase, Qt.Key.Key_Return)
    assert "differ" in find(dialog, "Problem").text()
    again.setText(PASSPHRASE)
    with qtbot.waitSignal(window.backup_menu.controller.sig_backup_finished, timeout=60000) as done:
        qtbot.mouseClick(find(dialog, "Save"), Qt.MouseButton.LeftButton)
    ok, message = done.args
    assert ok, message


@pytest.mark.slow
def test_back_up_now_sets_up_then_backs_up_and_the_status_says_so(make_window, data_dir: Path,
                                                                   tmp_path: Path, qtbot: QtBot) -> None:
    window = make_window()
    usb = tmp_path / "usb stick"
    _set_up_and_back_up(window, qtbot, usb)
    backups = list(usb.glob("hms-backup-*.hmsbak"))
    assert len(backups) == 1
    plan = json.loads((data_dir / "backup.json").read_text())
    assert plan["folder"] == str(usb) and plan["key"]["public"]
    assert PASSPHRASE not in (data_dir / "backup.json").read_text()
    assert find(window, "Backup status").text() == "Last backup just now"
    assert str(backups[0]) in window.statusBar().currentMessage()


@pytest.mark.slow
def test_restore_refuses_a_wrong_passphrase_then_restores_and_opens(make_window, data_dir: Path,
                                                                     tmp_path: Path, qtbot: QtBot) -> None:
    opened: list[Path] = []
    window = make_window(relaunch=opened.append)
    _set_up_and_back_up(window, qtbot, tmp_path / "usb")
    window.backup_menu.action_restore.trigger()
    dialog = window.findChild(RestoreDialog)
    assert dialog is not None and dialog.isVisible()
    assert find(dialog, "Backup file").text().endswith(".hmsbak")  # the last backup, offered
    target = tmp_path / "restored here"
    find(dialog, "Restore into folder").setText(str(target))
    find(dialog, "Passphrase").setText("not the passphrase")
    result = find(dialog, "Restore result")
    qtbot.mouseClick(find(dialog, "Restore"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: result.text().startswith("Not restored"), timeout=30000)
    assert "wrong passphrase" in result.text() and not target.exists()
    assert not find(dialog, "Open the restored folder").isEnabled()

    find(dialog, "Passphrase").setText(PASSPHRASE)
    with qtbot.waitSignal(dialog.sig_restored, timeout=30000):
        qtbot.mouseClick(find(dialog, "Restore"), Qt.MouseButton.LeftButton)
    assert "the check found no problems" in result.text()
    assert (target / "backup.json").exists()
    qtbot.waitUntil(lambda: window.backup_menu.controller.plan.last_restore_test_at is not None,
                    timeout=5000)
    qtbot.mouseClick(find(dialog, "Open the restored folder"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: opened == [target], timeout=10000)


def test_the_status_bar_warns_after_two_days_without_a_backup(make_window, data_dir: Path,
                                                              tmp_path: Path, qtbot: QtBot) -> None:
    save_plan(data_dir, BackupPlan(folder=str(tmp_path / "usb"), encrypt=False, daily=False,
                                   last_backup_at=datetime.now(UTC) - timedelta(days=3)))
    window = make_window()
    status = find(window, "Backup status")
    qtbot.waitUntil(lambda: status.text().startswith("⚠ No backup for 3 days"), timeout=5000)


def test_the_daily_backup_runs_when_due_and_another_at_close(make_window, data_dir: Path, tmp_path: Path,
                                                             qtbot: QtBot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from hms_desktop.ui.shell import backup_controller

    monkeypatch.setattr(backup_controller, "FIRST_CHECK_MS", 0)  # not a minute after start-up
    usb = tmp_path / "usb"
    save_plan(data_dir, BackupPlan(folder=str(usb), encrypt=False, keep=5,
                                   last_backup_at=datetime.now(UTC) - timedelta(days=1, minutes=1)))
    window = make_window()
    qtbot.waitUntil(lambda: len(list(usb.glob("hms-backup-*.zip"))) == 1, timeout=30000)
    qtbot.waitUntil(lambda: not window.backup_menu.controller.running, timeout=10000)
    window.close()
    assert len(list(usb.glob("hms-backup-*.zip"))) == 2


def test_a_backup_that_cannot_read_the_folder_says_so_and_the_window_goes_on(
        make_window, data_dir: Path, tmp_path: Path, qtbot: QtBot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from hms_desktop.ui.shell import backup_controller

    def unreadable(_store: object) -> None:
        raise PermissionError(13, "Permission denied", str(data_dir / "patients.csv"))

    monkeypatch.setattr(backup_controller, "snapshot_store", unreadable)
    save_plan(data_dir, BackupPlan(folder=str(tmp_path / "usb"), encrypt=False, daily=False))
    window = make_window()
    controller = window.backup_menu.controller
    qtbot.waitUntil(lambda: controller.plan.configured, timeout=5000)
    with qtbot.waitSignal(controller.sig_backup_finished, timeout=20000) as done:
        window.backup_menu.action_back_up.trigger()
    ok, message = done.args
    assert not ok and "could not be read" in message and "patients.csv" in message
    qtbot.waitUntil(lambda: "the latest attempt failed" in find(window, "Backup status").text(), timeout=5000)
    assert json.loads((data_dir / "backup.json").read_text())["last_error"]


def test_a_folder_on_read_only_media_opens_read_only_and_the_window_says_why(
        make_window, data_dir: Path, qtbot: QtBot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Issue 10 item 12 as the user sees it (the real other-user case is in tests/storage/test_lock.py)."""
    import errno
    import os

    real_open = os.open

    def read_only_media(path: object, flags: int, *args: object) -> int:
        if str(path).startswith(str(data_dir)) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", read_only_media)
    window = make_window()
    notice = find(window, "Read-only notice")
    assert not notice.isHidden()
    assert "read-only media" in notice.text() and str(data_dir) in notice.text()
    assert "[read-only]" in window.windowTitle()
    assert not window.backup_menu.action_back_up.isEnabled()
