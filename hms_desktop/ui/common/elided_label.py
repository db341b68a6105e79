"""A one-line label for text a person typed (a name, an address, a reason).

Such text has no upper bound a layout can plan for: a 480-character family name once made the
Record window 7,867 px wide. This label never asks for more width than a few characters,
draws "…" where the text does not fit, and shows the whole text as its tooltip and to screen
readers (accessible description).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

MIN_CHARACTERS = 8


class ElidedLabel(QLabel):
    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.set_full_text(text)

    def set_full_text(self, text: str) -> None:
        self._full = " ".join(text.split())  # one line: typed newlines would grow the height
        self.setToolTip(self._full)
        self.setAccessibleDescription(self._full)
        super().setText(self._full)
        self.update()

    def setText(self, text: str) -> None:  # noqa: N802 (Qt override)
        self.set_full_text(text)

    def full_text(self) -> str:
        return self._full

    def is_elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self._full) > self.contentsRect().width()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        metrics = self.fontMetrics()
        return QSize(metrics.averageCharWidth() * MIN_CHARACTERS, metrics.height())

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        metrics = self.fontMetrics()
        return QSize(min(metrics.horizontalAdvance(self._full), metrics.averageCharWidth() * 60) + 2,
                     metrics.height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, rect.width())
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(rect, int(self.alignment() | Qt.AlignmentFlag.AlignVCenter), shown)
