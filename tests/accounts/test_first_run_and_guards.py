"""An empty folder asks for its first administrator (no default account or password), and
the services refuse what a role may not do, whoever calls them (issue 14 items 2, 4, 6)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from hms_desktop.domain.accounts import AccessEvent, Role
from hms_desktop.domain.clinic_settings import ClinicSettings
from hms_desktop.services.session import close_session, open_session
from hms_desktop.storage import Store
from hms_desktop.storage.accounts import USERS
from hms_desktop.ui.shell.first_admin import FirstAdministratorDialog
from tests.accounts.gate_helpers import named

PASSPHRASE = "seven green herons at dawn"


@pytest.mark.slow
def test_an_empty_folder_asks_for_the_first_administrator_and_signs_them_in(
        gated, qtbot: QtBot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "new clinic"
    window, gate, _sound, _now = gated(folder)
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, FirstAdministratorDialog) and w.isVisible())
    assert window._pending_tabs == [] and gate.locked  # nothing opens before it
    named(dialog, QLineEdit, "administrator username").setText("ann")
    named(dialog, QLineEdit, "administrator full name").setText("Ann Admin")
    for field in ("new password", "repeat the password"):
        qtbot.keyClicks(named(dialog, QLineEdit, field), "short")
    qtbot.mouseClick(named(dialog, QPushButton, "create administrator"), Qt.MouseButton.LeftButton)
    problem = named(dialog, QLabel, "first administrator problem")
    qtbot.waitUntil(lambda: "at least 15 characters" in problem.text(), timeout=10_000)
    for field in ("new password", "repeat the password"):
        named(dialog, QLineEdit, field).setText(PASSPHRASE)
    with qtbot.waitSignal(gate.sig_signed_in, timeout=20_000):
        qtbot.mouseClick(named(dialog, QPushButton, "create administrator"), Qt.MouseButton.LeftButton)
    assert gate.user.username == "ann" and not gate.locked
    window.close()
    store = Store(folder)
    try:
        accounts = store.table(USERS).all()
        assert [(a.id, a.roles) for a in accounts] == [("ann", [Role.ADMINISTRATOR])]
        assert PASSPHRASE not in (folder / "users.csv").read_text(encoding="utf-8")
    finally:
        store.close()


def _session_as(folder: Path, role: Role):  # type: ignore[no-untyped-def]
    session = open_session(folder)
    accounts = session.services.accounts
    username = f"some.{role.value}"
    if accounts.get(username) is None:
        accounts.create(username, "Some One", [role], PASSPHRASE, must_change=False)
    session.sign_in(accounts.authenticate(username, PASSPHRASE))
    return session


@pytest.mark.parametrize(("role", "allowed"), [(Role.NURSE, False), (Role.ADMINISTRATOR, True)])
@pytest.mark.slow
def test_settings_and_backup_need_an_administrator(data_dir: Path, role: Role, allowed: bool) -> None:
    session = _session_as(data_dir, role)
    try:
        folder = session.services.folder
        if allowed:
            folder.save_settings(ClinicSettings(clinic_name="Harbour Clinic"))
            assert folder.back_up(lambda: "done") == "done"
        else:
            with pytest.raises(PermissionError, match="administrator role"):
                folder.save_settings(ClinicSettings(clinic_name="Harbour Clinic"))
            with pytest.raises(PermissionError, match="backup and restore"):
                folder.restore(lambda: None)
    finally:
        close_session(session)
    settings_file = data_dir / "settings.json"
    assert (settings_file.exists() and "Harbour Clinic" in settings_file.read_text()) is allowed


@pytest.mark.slow
def test_a_receptionist_books_but_cannot_start_monitoring_and_a_nurse_cannot_book(data_dir: Path) -> None:
    session = _session_as(data_dir, Role.RECEPTIONIST)
    try:
        now = datetime.now(UTC)
        assert session.services.scheduling.appointments_between(now, now + timedelta(days=1)) == []
        with pytest.raises(PermissionError, match="start or end monitoring"):
            session.services.monitoring.start_session(bed_id="BED01", patient_id="PAT000001")
        with pytest.raises(PermissionError, match="acknowledge alarms"):
            session.services.monitoring.acknowledger()
        assert session.services.monitoring.acknowledger(at_lock_screen=True) == "lock screen (some.receptionist)"
    finally:
        close_session(session)
    session = _session_as(data_dir, Role.NURSE)
    try:
        with pytest.raises(PermissionError, match="manage schedule"):
            session.services.scheduling.cancel_following("APT000001", "no reason")
        assert session.services.monitoring.acknowledger() == "some.nurse"  # who acknowledged
    finally:
        close_session(session)
    store = Store(data_dir)
    try:
        now = datetime.now(UTC)
        log = store.day_log("access", AccessEvent).read(now - timedelta(days=1), now + timedelta(days=1))
        denied = [e for e in log if e.action == "denied"]
        assert len(denied) == 3  # every refusal is in the access log
    finally:
        store.close()
