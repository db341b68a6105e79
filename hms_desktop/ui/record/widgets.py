"""Small helpers so every widget of the tab gets an object name and an accessible name."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QPushButton, QWidget

W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str, accessible: str) -> W:
    """Tests and screen readers find widgets by these names, never by position."""
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)
    return widget


def button(parent: QWidget, text: str, name: str, accessible: str) -> QPushButton:
    return named(QPushButton(text, parent), name, accessible)
