"""Which visible controls of a window lie outside it (issue 13 item 2: at 2× scale the Monitor
tab forced a 2592×1284 window and the alarm list was off-screen).

A control inside a scroll area counts as reachable when the scroll area itself lies inside
the window (the user scrolls to it).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QComboBox, QLineEdit, QWidget

CONTROLS = (QAbstractButton, QComboBox, QLineEdit)


def _scroll_ancestor(widget: QWidget, window: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QAbstractScrollArea) and parent.viewport() is not widget:
            return parent
        parent = parent.parentWidget()
    return None


def rect_in_window(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def outside_controls(window: QWidget) -> list[str]:
    inside = window.rect()
    out = []
    for control in window.findChildren(QWidget):
        if not isinstance(control, CONTROLS) or not control.isVisible():
            continue
        holder = _scroll_ancestor(control, window)
        shown = holder if holder is not None else control
        if not inside.contains(rect_in_window(shown, window)):
            out.append(f"{control.accessibleName() or control.objectName()} at "
                       f"{rect_in_window(shown, window).getRect()}")
    return out
