"""File ▸ Connect to server…: a reachable server reopens the window there; otherwise it says why."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from hms_desktop.ui.shell.connect_dialog import ConnectServerDialog
from tests.pg_support import fresh_schema
from tests.ui.shell_helpers import *  # noqa: F403 (pytest fixtures make_window, shell_tables)
from tests.ui.shell_helpers import find


@pytest.fixture
def passfile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "profile" / "pgpass"
    monkeypatch.setenv("PGPASSFILE", str(path))
    return path


def dialog_with(qtbot: QtBot, address: str, password: str = "") -> ConnectServerDialog:
    dialog = ConnectServerDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    field = find(dialog, "Server address")
    assert isinstance(field, QLineEdit)
    field.setText(address)
    secret = find(dialog, "Password (kept in your password file)")
    assert isinstance(secret, QLineEdit) and secret.echoMode() == QLineEdit.EchoMode.Password
    secret.setText(password)
    return dialog


def click_connect(qtbot: QtBot, dialog: ConnectServerDialog) -> str:
    button = find(dialog, "Connect")
    assert isinstance(button, QPushButton)
    message = find(dialog, "Connection message")
    assert isinstance(message, QLabel)
    before = message.text()
    button.click()
    qtbot.waitUntil(lambda: button.isEnabled() and message.text() != before
                    and not message.text().startswith("Connecting"), timeout=20000)
    return message.text()


def test_an_unreachable_server_is_named_and_nothing_is_kept(qtbot: QtBot, passfile: Path) -> None:
    dialog = dialog_with(qtbot, "postgresql://reception@localhost:1/hms", password="s3cret-pass")
    with qtbot.assertNotEmitted(dialog.sig_connect):
        text = click_connect(qtbot, dialog)
    assert text.startswith("Cannot reach the PostgreSQL server at postgresql://localhost:1/hms")
    assert dialog.isVisible() and not passfile.exists()  # a password the server never accepted


def test_a_password_in_the_address_is_refused_with_the_fix(qtbot: QtBot, passfile: Path) -> None:
    dialog = dialog_with(qtbot, "postgresql://reception:s3cret@localhost/hms")
    with qtbot.assertNotEmitted(dialog.sig_connect):
        text = click_connect(qtbot, dialog)
    assert "do not put the password in the address" in text and "password file" in text


@pytest.fixture
def server() -> Iterator[str]:
    with fresh_schema() as url:
        yield url


@pytest.mark.postgres
def test_a_reachable_server_keeps_the_password_in_the_password_file_only(
        qtbot: QtBot, passfile: Path, server: str) -> None:
    parts = urlsplit(server)
    address = urlunsplit(parts._replace(netloc=f"{parts.username}@{parts.hostname}"))
    dialog = dialog_with(qtbot, address, password=parts.password or "")
    with qtbot.waitSignal(dialog.sig_connect, timeout=20000) as connected:
        find(dialog, "Connect").click()  # type: ignore[attr-defined]
    assert connected.args == [address]  # the address the app remembers has no password
    assert stat.S_IMODE(os.stat(passfile).st_mode) == 0o600
    assert passfile.read_text().splitlines() == [
        f"{parts.hostname}:5432:{parts.path.lstrip('/')}:{parts.username}:{parts.password}"]
    assert find(dialog, "Password (kept in your password file)").text() == ""  # type: ignore[attr-defined]


def test_file_connect_to_server_reopens_the_window_on_the_server(make_window, qtbot: QtBot) -> None:
    targets: list[object] = []
    window = make_window(relaunch=targets.append)
    window.action_connect.trigger()
    dialog = window.findChild(ConnectServerDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.sig_connect.emit("postgresql://clinic-db.lan/hms?sslmode=verify-full")
    assert targets == ["postgresql://clinic-db.lan/hms?sslmode=verify-full"]
    assert not window.isVisible()


@pytest.mark.slow
def test_a_window_on_an_unreachable_server_says_which_server(make_window, qtbot: QtBot) -> None:
    window = make_window(wait=False, database="postgresql://reception@localhost:1/hms")
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "open_failed_message") is not None, timeout=30000)
    text = find(window, "Could not reach the server").text()  # type: ignore[attr-defined]
    assert "PostgreSQL server" in text and "postgresql://localhost:1/hms" in text
    assert "File ▸ Connect to server…" in text
