"""A real window behind the sign-in gate, as ``app.py`` composes it, on a real folder."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from hms_desktop.domain.accounts import AccessEvent
from hms_desktop.monitoring.sound import RecordingSound
from hms_desktop.storage import Store
from hms_desktop.ui.main_window import MainWindow
from hms_desktop.ui.monitor.monitor_tab import build_controller
from hms_desktop.ui.shell.session_controller import SessionController
from hms_desktop.ui.shell.session_gate import SessionGate

Gated = tuple[MainWindow, SessionGate, RecordingSound, list[float]]


@pytest.fixture
def gated(qtbot: QtBot, tmp_path: Path) -> Iterator[Callable[..., Gated]]:
    windows: list[MainWindow] = []

    def make(folder: Path, *, demo: bool = False, **gate_options: Any) -> Gated:
        controller = SessionController(folder, demo_if_empty=demo, demo_patients=6, demo_seed=7)
        window = MainWindow(controller, qsettings=QSettings(str(tmp_path / "q.ini"), QSettings.Format.IniFormat),
                            relaunch=lambda _f: None)
        sound = RecordingSound()
        now = [1000.0]

        def beds(ctx: Any) -> Any:  # app.py's start_beds, with a recording speaker
            beds_controller = build_controller(ctx, sound=sound)
            beds_controller.start()
            return beds_controller

        gate = SessionGate(window, beds=beds, clock=lambda: now[0], check_every_ms=20, **gate_options)
        qtbot.addWidget(window)
        windows.append(window)
        window.show()
        with qtbot.waitSignal(gate.sig_locked, timeout=60_000):
            controller.start()
        return window, gate, sound, now

    yield make
    for window in windows:
        window.close()


def named(parent: QWidget, kind: type, name: str) -> Any:
    found = [w for w in parent.findChildren(kind) if w.accessibleName() == name]
    assert found, f"no {kind.__name__} named {name!r}"
    return found[0]


def sign_in(qtbot: QtBot, gate: SessionGate, username: str, password: str) -> None:
    assert gate.lock_screen is not None
    form = gate.lock_screen.form
    named(form, QLineEdit, "username").setText(username)
    qtbot.keyClicks(named(form, QLineEdit, "password"), password)
    with qtbot.waitSignal(gate.sig_signed_in, timeout=20_000):
        qtbot.mouseClick(named(form, QPushButton, "sign in"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not gate.window._pending_tabs, timeout=30_000)  # every tab built for them


def visible_text() -> str:
    """The text of every visible widget of every visible window: labels, fields, buttons,
    titles and every cell of every visible list or table."""
    parts: list[str] = []
    for top in QApplication.topLevelWidgets():
        if not top.isVisible():
            continue
        parts.append(top.windowTitle())
        for widget in [top, *top.findChildren(QWidget)]:
            if not widget.isVisible():
                continue
            if isinstance(widget, QLabel | QLineEdit | QAbstractButton):
                parts.append(widget.text())
            elif isinstance(widget, QPlainTextEdit):
                parts.append(widget.toPlainText())
            elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
                model = widget.model()
                from PySide6.QtCore import QModelIndex

                try:
                    columns = model.columnCount(QModelIndex())
                except TypeError:  # a list model: one column
                    columns = 1
                for row in range(min(model.rowCount(QModelIndex()), 500)):
                    for column in range(columns):
                        parts.append(str(model.index(row, column).data() or ""))
    return "\n".join(parts)


def access_log(folder: Path) -> list[AccessEvent]:
    store = Store(folder, read_only=True)
    try:
        now = datetime.now(UTC)
        return store.day_log("access", AccessEvent).read(now - timedelta(days=1), now + timedelta(days=1))
    finally:
        store.close()
