"""Every control of the shell has a name a screen reader (and a test) can find it by."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from hms_desktop.domain.clinic_settings import ClinicSettings
from hms_desktop.ui.shell.check_dialog import CheckDialog
from hms_desktop.ui.shell.quarantine_dialog import QuarantineDialog
from hms_desktop.ui.shell.settings_dialog import SettingsDialog
from hms_desktop.ui.shell.status import ShellStatus

CONTROLS = (QAbstractButton, QAbstractItemView, QAbstractSpinBox, QComboBox, QLineEdit,
            QPlainTextEdit, QProgressBar)


def _unnamed(root: QWidget) -> list[str]:
    """Controls with neither an accessible name nor visible text to be read out."""
    bad = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or widget.parent() is None:
            continue
        if widget.objectName().startswith("qt_") or _inside(widget, (QComboBox, QAbstractSpinBox, QAbstractItemView)):
            continue  # Qt's own parts (headers, corner button, combo popup, editors): the owner speaks
        text = widget.text() if isinstance(widget, QAbstractButton) else ""
        if not widget.accessibleName() and not text.replace("&", "").strip():
            bad.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return bad


def _inside(widget: QWidget, kinds: tuple[type, ...]) -> bool:
    parent = widget.parent()
    while parent is not None:
        if isinstance(parent, kinds) or type(parent).__name__ == "QComboBoxPrivateContainer":
            return True
        parent = parent.parent()
    return False


def test_dialogs_and_status_bar_name_every_control(qtbot: QtBot, data_dir: Path) -> None:
    from PySide6.QtWidgets import QMainWindow

    window = QMainWindow()
    qtbot.addWidget(window)
    ShellStatus(window.statusBar(), data_dir)
    dialogs = [SettingsDialog(ClinicSettings()), QuarantineDialog([]), CheckDialog(data_dir)]
    for dialog in dialogs:
        qtbot.addWidget(dialog)
    problems = _unnamed(window) + [p for d in dialogs for p in _unnamed(d)]
    dialogs[2].done(0)  # stops the check process it started
    assert problems == []
