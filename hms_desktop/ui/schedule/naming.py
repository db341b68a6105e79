"""Every widget gets an objectName (tests, styles) and an accessibleName (screen readers)."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QDateEdit, QWidget

W = TypeVar("W", bound=QWidget)
D = TypeVar("D", bound=QDateEdit)


def named(widget: W, name: str, accessible: str) -> W:
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)
    return widget


DATE_FORMAT = "ddd dd MMM yyyy"  # "Wed 25 Nov 2026": the weekday and month name, never "25 11 2026"


def dated(edit: D) -> D:
    """A date field shown as ``DATE_FORMAT`` with a calendar popup (dates are picked, not typed)."""
    edit.setDisplayFormat(DATE_FORMAT)
    edit.setCalendarPopup(True)
    return edit
