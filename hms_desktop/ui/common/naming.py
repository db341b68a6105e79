"""The one way a widget gets its names: objectName for tests and style sheets, accessibleName
for screen readers (tests find widgets by accessible name, never by position)."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QWidget

W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str, accessible: str | None = None) -> W:
    """Name ``widget``; without ``accessible`` the object name is read aloud, "_" as spaces."""
    widget.setObjectName(name)
    widget.setAccessibleName(accessible if accessible is not None else name.replace("_", " "))
    return widget
