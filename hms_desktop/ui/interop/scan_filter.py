"""Scan to find: an application-wide key filter that turns a scanner's burst into a signal.

Installed on the QApplication by the main window. Keys still reach the focused widget (a
person typing is never delayed); when a burst turns out to be a scan, its Enter is eaten
(so it does not also submit a form) and the scanned characters are taken back out of the
line edit they landed in.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit

from hms_desktop.interop.scan import ScanDetector

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class ScanFilter(QObject):
    sig_scanned = Signal(str)
    """A scanner typed this ID (upper-case) followed by Enter."""

    def __init__(self, parent: QObject | None = None, *,
                 clock: Callable[[], float] | None = None,
                 active: Callable[[], bool] = lambda: True) -> None:
        """``active()`` says whether scans are this filter's to take right now (the main
        window's filter steps aside while another window, e.g. a dialog that catches its
        own scans, is the active one)."""
        super().__init__(parent)
        self.detector = ScanDetector(clock=clock) if clock is not None else ScanDetector()
        self._active = active

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if not watched.isWidgetType() or event.isAutoRepeat():
            return False
        # A key the focus widget ignores travels up to its parents through this filter
        # again: count it once, where it was first delivered.
        focus = QApplication.focusWidget()
        if watched is not (focus or QApplication.activeWindow()):
            return False
        if event.key() in _ENTER:
            typed = self.detector.pending
            scanned = self.detector.enter()
            if scanned is None or not self._active():
                return False
            self._take_back(typed)
            self.sig_scanned.emit(scanned)
            return True
        if event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            self.detector.reset()
        else:
            self.detector.key(event.text())
        return False

    @staticmethod
    def _take_back(typed: str) -> None:
        focus = QApplication.focusWidget()
        if isinstance(focus, QLineEdit) and typed and focus.text().endswith(typed):
            focus.setText(focus.text()[: -len(typed)])
