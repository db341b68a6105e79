"""Qt's side of the logs: Qt's own messages go to the log file, and a crash opens a dialog.

The dialog says what happened, that nothing saved was lost (every change is on disk before
the app says "saved"), and where the report is, so the clinic can send it on.
"""

from __future__ import annotations

import atexit
import logging
from pathlib import Path

from PySide6.QtCore import (
    QMessageLogContext,
    QObject,
    Qt,
    QtMsgType,
    Signal,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QMessageBox, QWidget

from hms_desktop.services import diagnostics

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}
_qt_log = logging.getLogger("qt")


def _qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    category = getattr(context, "category", None) or "qt"
    _qt_log.log(_QT_LEVELS.get(kind, logging.WARNING), "[%s] %s", category, message)


def route_qt_messages() -> None:
    """Send qDebug/qWarning/... (plugins, fonts, multimedia) into our log instead of stderr only.

    Undone at exit: Qt still reports while its objects are destroyed after the interpreter
    has begun to shut down, and calling into Python then crashes (seen with debug output on).
    """
    qInstallMessageHandler(_qt_message)
    atexit.register(qInstallMessageHandler, None)


def crash_text(summary: str, report: Path | None) -> str:
    where = (f"A report was written to:\n{report}" if report is not None else
             f"The report could not be written; the log folder is {diagnostics.log_dir()}")
    return (f"HMS Desktop hit an unexpected error:\n{summary}\n\n"
            "Nothing you saved has been lost: every change is on disk before the app says "
            "\"saved\". Something you were doing at that moment may not have finished — check it.\n\n"
            f"{where}\n\nIf it happens again, close and reopen HMS Desktop and send the report "
            "to whoever supports your installation.")


class CrashNotifier(QObject):
    """Shows the crash dialog on the GUI thread, whichever thread the exception happened in."""

    sig_crash_reported = Signal(str, str)
    """An uncaught exception: summary text and report path ("" when none was written)."""

    def __init__(self, parent_window: QWidget | None = None) -> None:
        super().__init__()
        self._window = parent_window
        self.dialogs: list[QMessageBox] = []
        self.sig_crash_reported.connect(self._show, Qt.ConnectionType.QueuedConnection)
        self._undo = diagnostics.on_crash(
            lambda summary, path: self.sig_crash_reported.emit(summary, str(path or "")))

    def set_window(self, window: QWidget | None) -> None:
        self._window = window

    def _show(self, summary: str, report: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Critical, "Unexpected error",
                          crash_text(summary, Path(report) if report else None),
                          QMessageBox.StandardButton.Ok, self._window)
        box.setObjectName("crash_dialog")
        box.setAccessibleName("Unexpected error")
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.destroyed.connect(lambda *_: self.dialogs.remove(box) if box in self.dialogs else None)
        self.dialogs.append(box)
        box.open()

    def uninstall(self) -> None:
        self._undo()
