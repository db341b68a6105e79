"""An uncaught exception in any thread opens a dialog saying what happened, that nothing
saved was lost, and where the report is."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import qInstallMessageHandler, qWarning
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from hms_desktop.services import diagnostics
from hms_desktop.ui.shell.crash_dialog import CrashNotifier, route_qt_messages


@pytest.fixture
def logs(tmp_path: Path) -> Iterator[Path]:
    saved = sys.excepthook, threading.excepthook
    folder = diagnostics.setup_logging(tmp_path / "logs")
    yield folder
    if diagnostics._State.handler is not None:
        logging.getLogger().removeHandler(diagnostics._State.handler)
        diagnostics._State.handler.close()
        diagnostics._State.handler = None
    sys.excepthook, threading.excepthook = saved


def _crash_dialog(about: str) -> QMessageBox | None:
    for widget in QApplication.topLevelWidgets():
        if (isinstance(widget, QMessageBox) and widget.accessibleName() == "Unexpected error"
                and widget.isVisible() and about in widget.text()):
            return widget
    return None


def test_a_crash_in_a_worker_thread_opens_the_dialog_on_the_gui_thread(qtbot: QtBot, logs: Path) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    notifier = CrashNotifier(window)
    try:
        with qtbot.waitSignal(notifier.sig_crash_reported, timeout=5000):
            worker = threading.Thread(target=lambda: {}["bed 3"], name="device-bed-3")
            worker.start()
            worker.join()
        qtbot.waitUntil(lambda: _crash_dialog("KeyError: 'bed 3'") is not None, timeout=5000)
        box = _crash_dialog("KeyError: 'bed 3'")
        assert box is not None and box.parent() is window
        text = box.text()
        assert "Nothing you saved has been lost" in text
        report = next(logs.glob("crash-*.txt"))
        assert str(report) in text
        box.accept()
    finally:
        notifier.uninstall()


def test_an_uncaught_exception_on_the_gui_thread_opens_the_dialog(qtbot: QtBot, logs: Path) -> None:
    notifier = CrashNotifier(None)
    try:
        try:
            raise RuntimeError("the printer went away")
        except RuntimeError:
            sys.excepthook(*sys.exc_info())  # what Qt's event loop calls for a slot that raised
        qtbot.waitUntil(lambda: _crash_dialog("RuntimeError: the printer went away") is not None,
                        timeout=5000)
        box = _crash_dialog("RuntimeError: the printer went away")
        assert box is not None
        box.accept()
    finally:
        notifier.uninstall()


def test_qt_messages_are_routed_into_the_log(qtbot: QtBot, logs: Path) -> None:
    route_qt_messages()
    try:
        qWarning("a warning from Qt itself")
    finally:
        qInstallMessageHandler(None)
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert "qt: [default] a warning from Qt itself" in (logs / diagnostics.LOG_FILE).read_text()
