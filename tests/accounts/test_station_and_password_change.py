"""A password set by an administrator is replaced at the first sign-in, and a nurse-station
kiosk signs itself in from its credential file and never idle-locks (issue 14 items 2, 3)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from hms_desktop.__main__ import main
from hms_desktop.domain.accounts import Role
from hms_desktop.services.session import close_session, open_session
from hms_desktop.ui.shell.change_password import ChangePasswordDialog
from tests.accounts.gate_helpers import named, sign_in, visible_text

ADMIN_PASSWORD = "the kettle is always on"
GIVEN = "a temporary one from the admin"
CHOSEN = "my own quiet passphrase please"


def _folder_with_admin(folder: Path) -> None:
    session = open_session(folder)
    accounts = session.services.accounts
    accounts.create_first_administrator("boss", "Ada Admin", ADMIN_PASSWORD)
    session.sign_in(accounts.authenticate("boss", ADMIN_PASSWORD))
    accounts.create("nina", "Nina Nurse", [Role.NURSE], GIVEN)  # must change at first sign-in
    close_session(session)
    # The administrator provisions the kiosk with the documented command.
    credentials = folder.parent / "kiosk" / "station.json"
    os.environ["HMS_PASSWORD"] = ADMIN_PASSWORD
    try:
        assert main(["users", "provision-station", "ward3", "--name", "Ward 3 station", "--credentials",
                     str(credentials), "--user", "boss", "--data-dir", str(folder)]) == 0
    finally:
        del os.environ["HMS_PASSWORD"]
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600


@pytest.mark.slow
def test_a_password_set_by_an_administrator_is_changed_at_the_first_sign_in(
        gated, qtbot: QtBot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "clinic"
    _folder_with_admin(folder)
    window, gate, _sound, _now = gated(folder)
    form = gate.lock_screen.form
    named(form, QLineEdit, "username").setText("nina")
    qtbot.keyClicks(named(form, QLineEdit, "password"), GIVEN)
    qtbot.mouseClick(named(form, QPushButton, "sign in"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(isinstance(w, ChangePasswordDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()), timeout=10_000)
    assert gate.locked and gate.user.username != "nina"  # not in until the password is hers
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, ChangePasswordDialog))
    named(dialog, QLineEdit, "current password").setText(GIVEN)
    named(dialog, QLineEdit, "new password").setText("short")
    named(dialog, QLineEdit, "repeat the new password").setText("short")
    qtbot.mouseClick(named(dialog, QPushButton, "save the new password"), Qt.MouseButton.LeftButton)
    problem = named(dialog, QLabel, "change password problem")
    qtbot.waitUntil(lambda: "at least 15 characters" in problem.text(), timeout=10_000)
    named(dialog, QLineEdit, "current password").setText(GIVEN)
    named(dialog, QLineEdit, "new password").setText(CHOSEN)
    named(dialog, QLineEdit, "repeat the new password").setText(CHOSEN)
    with qtbot.waitSignal(gate.sig_signed_in, timeout=20_000):
        qtbot.mouseClick(named(dialog, QPushButton, "save the new password"), Qt.MouseButton.LeftButton)
    assert gate.user.username == "nina"
    gate.sign_out()
    sign_in(qtbot, gate, "nina", CHOSEN)  # her own password from now on, no question asked
    assert gate.user.username == "nina" and not gate.locked


@pytest.mark.slow
def test_the_station_signs_itself_in_from_its_credential_file_and_never_idle_locks(
        gated, qtbot: QtBot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "clinic"
    _folder_with_admin(folder)
    credentials = tmp_path / "kiosk" / "station.json"
    window, gate, _sound, now = gated(folder, station_credentials=credentials)
    qtbot.waitUntil(lambda: gate.user.username == "ward3" and not gate.locked, timeout=20_000)
    qtbot.waitUntil(lambda: not window._pending_tabs, timeout=30_000)
    window.show_tab("Patients")
    assert "Needs the" in visible_text()  # the kiosk sees beds, not the patient list
    now[0] += 60 * 60  # an hour without input
    gate.check_idle()
    assert not gate.locked

