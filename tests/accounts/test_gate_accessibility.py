"""The sign-in gate's screens by keyboard: every input named, no Alt+letter taken twice in
one window or in the File menu, and every control inside a 1366×768 window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication, QLineEdit, QMenu, QPlainTextEdit, QWidget
from pytestqt.qtbot import QtBot

from hms_desktop.services.session import close_session, open_session
from hms_desktop.ui.shell.change_password import ChangePasswordDialog
from hms_desktop.ui.shell.emergency_dialog import EmergencyAccessDialog
from hms_desktop.ui.shell.first_admin import FirstAdministratorDialog
from tests.ui.layout_check import outside_controls
from tests.ui.mnemonics import duplicated_mnemonics, mnemonic


def _inputs_named(window: QWidget) -> list[str]:
    return [w.objectName() for w in window.findChildren(QLineEdit) + window.findChildren(QPlainTextEdit)
            if w.isVisible() and not w.accessibleName()]


def test_every_gate_screen_is_named_fits_and_has_unique_mnemonics(
        gated, qtbot: QtBot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window, gate, _sound, _now = gated(tmp_path / "empty")
    window.resize(1366, 768)
    first = next(w for w in QApplication.topLevelWidgets() if isinstance(w, FirstAdministratorDialog))
    others: list[QWidget] = [ChangePasswordDialog("nina", lambda *_a: None, lambda *_a: None),  # type: ignore[arg-type, return-value]
                             EmergencyAccessDialog("PAT000001", lambda _r: None)]
    for dialog in others:
        qtbot.addWidget(dialog)
        dialog.show()
    # The main window's own check is the next test: here the dialog is its child window.
    for screen in [gate.lock_screen, first, *others]:
        qtbot.waitUntil(screen.isVisible)
        assert duplicated_mnemonics(screen) == {}, screen.objectName()
        assert _inputs_named(screen) == [], screen.objectName()
        assert outside_controls(screen) == [], screen.objectName()
    file_menu = window.findChild(QMenu, "file_menu")
    letters = [mnemonic(a.text()) for a in file_menu.actions() if a.text()]
    letters = [letter for letter in letters if letter]
    assert len(letters) == len(set(letters)), [a.text() for a in file_menu.actions()]


def test_the_lock_screen_with_beds_has_unique_mnemonics(gated, qtbot: QtBot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "clinic"
    session = open_session(folder)
    session.services.accounts.create_first_administrator("boss", "Ada Admin", "the kettle is always on")
    close_session(session)
    window, gate, _sound, _now = gated(folder)
    window.resize(1366, 768)
    assert gate.lock_screen is not None and gate.lock_screen.alarms is not None
    assert duplicated_mnemonics(window) == {}
    assert outside_controls(window) == []
