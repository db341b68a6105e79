"""File ▸ Back up now… on a window whose clinic is on the PostgreSQL server."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from hms_desktop.domain.patient import Patient
from hms_desktop.services.data_check import check_data
from hms_desktop.services.session import close_session, open_session
from tests.pg_support import fresh_schema, password_in_file
from tests.ui.shell_helpers import *  # noqa: F403 (pytest fixtures make_window, shell_tables)
from tests.ui.shell_helpers import find
from tests.ui.test_shell_backup import PASSPHRASE, _set_up_and_back_up

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.postgres


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with fresh_schema() as url:
        address = password_in_file(url, tmp_path, monkeypatch)
        session = open_session(tmp_path / "reception", database=address)
        from datetime import date

        session.services.patients.register_many(
            [Patient(given_name="Server", family_name=f"Kept{n}", date_of_birth=date(1970, 1, n + 1))
             for n in range(5)], check_phones=False)
        close_session(session)
        yield address


def test_a_server_clinic_backs_up_from_the_menu_and_restores_as_a_folder_or_onto_a_server(
        make_window, data_dir: Path, database: str, tmp_path: Path, qtbot: QtBot,
        monkeypatch: pytest.MonkeyPatch) -> None:
    targets: list[object] = []
    window = make_window(database=database, relaunch=targets.append)
    usb = tmp_path / "usb stick"
    _set_up_and_back_up(window, qtbot, usb)
    backups = list(usb.glob("hms-backup-*.hmsbak"))
    assert len(backups) == 1
    assert find(window, "Backup status").text() == "Last backup just now"
    restored = tmp_path / "restored"
    result = subprocess.run([sys.executable, "-m", "hms_desktop", "restore", str(backups[0]), "--to", str(restored)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HMS_BACKUP_PASSPHRASE": PASSPHRASE})
    assert result.returncode == 0, result.stderr
    report = check_data(restored)
    assert report.clean and report.counts["patients"] == 5

    with fresh_schema() as empty:  # File ▸ Restore from backup… into an empty server database
        address = password_in_file(empty, tmp_path, monkeypatch)
        dialog = window.backup_menu.restore(str(backups[0]))
        find(dialog, "Passphrase").setText(PASSPHRASE)
        find(dialog, "Restore into folder").setText(address)
        find(dialog, "Restore").click()
        qtbot.waitUntil(lambda: find(dialog, "Restore result").text().startswith("Restored into the server"),
                        timeout=120000)
        session = open_session(tmp_path / "check", database=address)
        try:
            assert sorted(p.family_name for p in session.services.patients.table.all()) == [
                f"Kept{n}" for n in range(5)]
        finally:
            close_session(session)
        find(dialog, "Open the restored folder").click()
        assert targets == [address]
