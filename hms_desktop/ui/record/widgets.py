"""Small helpers so every widget of the tab gets an object name and an accessible name."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QPushButton, QWidget

from hms_desktop.ui.common.naming import named as named

W = TypeVar("W", bound=QWidget)



def button(parent: QWidget, text: str, name: str, accessible: str) -> QPushButton:
    return named(QPushButton(text, parent), name, accessible)
