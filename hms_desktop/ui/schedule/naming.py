"""Every widget gets an objectName (tests, styles) and an accessibleName (screen readers)."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QDateEdit

from hms_desktop.ui.common.naming import named as named

D = TypeVar("D", bound=QDateEdit)

DATE_FORMAT = "ddd dd MMM yyyy"  # "Wed 25 Nov 2026": the weekday and month name, never "25 11 2026"


def dated(edit: D) -> D:
    """A date field shown as ``DATE_FORMAT`` with a calendar popup (dates are picked, not typed)."""
    edit.setDisplayFormat(DATE_FORMAT)
    edit.setCalendarPopup(True)
    return edit
