"""A tab that is not built yet says so plainly instead of showing an empty page."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel


def placeholder_tab(name: str) -> QLabel:
    label = QLabel(f"{name} is not available in this build.")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setObjectName(f"{name.lower()}_placeholder")
    label.setAccessibleName(f"{name} tab")
    return label
