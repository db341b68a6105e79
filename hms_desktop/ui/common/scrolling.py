"""A page in a frameless scroll area: a layout may ask for more room than a small screen has.

The page sits in a ``_Fill`` holder without a layout. Qt's scroll area asks a widget whose
layout has height-for-width (any word-wrapped label) for its *preferred* height at the
viewport's width, and scrolls as soon as that exceeds the screen, although the page would fit
at its minimum: the Record tab scrolled at 960×540 for a two-line banner. Through the holder
the area scrolls only when the page's minimum size does not fit.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget


class _Fill(QWidget):
    """Holds one page and gives it all of its own area; its size hints are the page's."""

    def __init__(self, page: QWidget) -> None:
        super().__init__()
        self.page = page
        page.setParent(self)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return self.page.minimumSizeHint().expandedTo(self.page.minimumSize())

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return self.page.sizeHint()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self.page.setGeometry(self.rect())


def in_scroll_area(page: QWidget, name: str, accessible: str) -> QScrollArea:
    area = QScrollArea()
    area.setObjectName(name)
    area.setAccessibleName(accessible)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    area.setWidget(_Fill(page))
    return area


def page_in(area: QWidget) -> QWidget:
    """The page put into ``area`` by ``in_scroll_area`` (``area`` itself otherwise)."""
    holder = area.widget() if isinstance(area, QScrollArea) else None
    return holder.page if isinstance(holder, _Fill) else area
