"""A page in a frameless scroll area: a layout may ask for more room than a small screen has."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QScrollArea, QWidget


def in_scroll_area(page: QWidget, name: str, accessible: str) -> QScrollArea:
    area = QScrollArea()
    area.setObjectName(name)
    area.setAccessibleName(accessible)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    area.setWidget(page)
    return area
