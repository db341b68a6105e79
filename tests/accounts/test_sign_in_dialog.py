"""The sign-in dialog, typed into with qtbot, against a real folder's accounts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from hms_desktop.domain.accounts import Role
from hms_desktop.services.accounts import DEMO_ACCOUNTS
from hms_desktop.services.session import Session, close_session, open_session
from hms_desktop.services.writer import BackgroundWriter
from hms_desktop.ui.shell.sign_in import SignInDialog

PASSWORD = "the kettle is always on"


@pytest.fixture
def opened(data_dir: Path) -> Iterator[tuple[Session, BackgroundWriter]]:
    session = open_session(data_dir)
    session.services.accounts.create_first_administrator("boss", "Ada Admin", PASSWORD)
    writer = BackgroundWriter()
    yield session, writer
    writer.shutdown()
    close_session(session)


def _named(dialog: SignInDialog, kind: type, name: str):  # noqa: ANN202 - test helper
    return next(w for w in dialog.findChildren(kind) if w.accessibleName() == name)


@pytest.mark.slow
def test_a_wrong_password_is_refused_and_the_right_one_signs_in(
        opened: tuple[Session, BackgroundWriter], qtbot: QtBot) -> None:
    session, writer = opened
    dialog = SignInDialog(session.services.accounts.authenticate, writer.submit)
    qtbot.addWidget(dialog)
    dialog.show()
    _named(dialog, QLineEdit, "username").setText("boss")
    qtbot.keyClicks(_named(dialog, QLineEdit, "password"), "not my password at all")
    with qtbot.waitSignal(dialog.sig_attempt_finished, timeout=10_000):
        qtbot.mouseClick(_named(dialog, QPushButton, "sign in"), Qt.MouseButton.LeftButton)
    assert "wrong username or password" in _named(dialog, QLabel, "sign-in problem").text()
    assert _named(dialog, QLineEdit, "password").text() == ""  # never left in the field
    assert dialog.isVisible()
    qtbot.keyClicks(_named(dialog, QLineEdit, "password"), PASSWORD)
    with qtbot.waitSignal(dialog.finished, timeout=10_000):
        qtbot.keyClick(_named(dialog, QLineEdit, "password"), Qt.Key.Key_Return)
    assert dialog.user is not None, _named(dialog, QLabel, "sign-in problem").text()
    assert dialog.user.roles == {Role.ADMINISTRATOR}
    session.sign_in(dialog.user)
    assert session.user.username == "boss" and session.store.actor == "boss"


def test_a_demo_folder_shows_its_demo_accounts_marked_demo_only(
        opened: tuple[Session, BackgroundWriter], qtbot: QtBot) -> None:
    session, writer = opened
    demo = [(username, password) for username, _name, _role, password in DEMO_ACCOUNTS]
    dialog = SignInDialog(session.services.accounts.authenticate, writer.submit, demo_accounts=demo)
    qtbot.addWidget(dialog)
    text = _named(dialog, QLabel, "demo accounts").text()
    assert "Demo data only" in text and all(u in text and p in text for u, p in demo)
