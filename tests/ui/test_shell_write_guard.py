"""The write guard: registered actions follow the window's read-only state (issue 11 item 3)."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from hms_desktop.ui.shell.write_guard import WriteGuard


def test_read_only_disables_with_the_reason_and_switches_back(qtbot: QtBot) -> None:
    guard = WriteGuard()
    button = QPushButton("&New patient")
    button.setToolTip("Register a patient")
    qtbot.addWidget(button)
    action = QAction("&Merge…")
    guard.register(button, action)
    assert button.isEnabled() and action.isEnabled()

    guard.set_read_only("data/patients.csv line 7 could not be read")
    assert not button.isEnabled() and not action.isEnabled()
    assert button.toolTip() == "Read-only: data/patients.csv line 7 could not be read"
    assert action.toolTip() == button.toolTip()
    button.setEnabled(True)  # e.g. the tab re-enables it for a new selection
    action.setEnabled(True)
    assert not button.isEnabled() and not action.isEnabled()

    guard.set_read_only("")
    assert button.isEnabled() and action.isEnabled()
    assert button.toolTip() == "Register a patient"
