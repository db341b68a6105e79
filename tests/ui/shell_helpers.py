"""Builds a real main window on a temporary data folder for the shell's UI tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from hms_desktop.ui.main_window import MainWindow
from hms_desktop.ui.shell.session_controller import SessionController

MakeWindow = Callable[..., MainWindow]


@pytest.fixture
def shell_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Registers the shell's own test table so start-up and check have something to load."""
    monkeypatch.setenv("HMS_EXTRA_STORAGE_MODULES", "tests.shell_fixture_tables")


@pytest.fixture
def make_window(qtbot: QtBot, tmp_path: Path, data_dir: Path, shell_tables: None) -> Iterator[MakeWindow]:
    windows: list[MainWindow] = []

    def make(folder: Path = data_dir, *, start: bool = True, wait: bool = True,
             ini: Path = tmp_path / "qsettings.ini", relaunch: Callable[[Path], None] | None = None,
             **controller_options: object) -> MainWindow:
        controller = SessionController(folder, **{"demo_if_empty": False, **controller_options})
        window = MainWindow(controller, qsettings=QSettings(str(ini), QSettings.Format.IniFormat),
                            relaunch=relaunch or (lambda _folder: None))
        qtbot.addWidget(window)
        windows.append(window)
        window.show()
        if start and wait:
            with qtbot.waitSignal(window.sig_tabs_created, timeout=20000):
                controller.start()
        elif start:
            controller.start()
        return window

    yield make
    for window in reversed(windows):
        window.close()  # saves state, drains the writer, closes the store


def find(window: QWidget, accessible_name: str) -> QWidget:
    """The one visible-or-not child widget with this accessible name."""
    matches = [w for w in window.findChildren(QWidget) if w.accessibleName() == accessible_name]
    assert len(matches) == 1, f"{len(matches)} widgets named {accessible_name!r}"
    return matches[0]

__all__ = ["find", "make_window", "shell_tables"]
