"""Custom-painted month grid: per day the number of appointments and the first names of the
first patients; click (or Enter) opens the day in the day view."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from hms_desktop.ui.schedule.time_grid import NAV_KEYS

HEADER = 24.0
NAMES_SHOWN = 3


def month_grid_start(first_of_month: date) -> date:
    """The Monday on or before the 1st: the grid always shows six full weeks."""
    return first_of_month - timedelta(days=first_of_month.weekday())


class MonthView(QWidget):
    """Six weeks of day cells around one month."""

    sig_day_activated = Signal(object)
    """A day was clicked or Enter pressed: its date."""
    sig_navigation_requested = Signal(str)
    """A navigation key: left, right, up, down, today, page_up, page_down."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("schedule_month_view")
        self.setAccessibleName("Month view")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(400, 300)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.month = date.today().replace(day=1)
        self.selected = date.today()
        self.today = date.today()
        self.days: dict[date, tuple[int, list[str]]] = {}

    def set_month(self, month: date, selected: date, days: dict[date, tuple[int, list[str]]],
                  today: date) -> None:
        """``days``: date -> (number of non-cancelled appointments, first names of the first
        few in time order; only ``NAMES_SHOWN`` are drawn, so callers need look up no more)."""
        self.month, self.selected, self.days, self.today = month.replace(day=1), selected, days, today
        count = sum(n for n, _ in days.values())
        self.setAccessibleDescription(f"{month:%B %Y}: {count} appointments; selected {selected:%d %B}")
        self.update()

    def cell_rect(self, day: date) -> QRectF:
        n = (day - month_grid_start(self.month)).days
        w, h = self.width() / 7, (self.height() - HEADER) / 6
        return QRectF((n % 7) * w, HEADER + (n // 7) * h, w, h)

    def day_at(self, pos: QPointF) -> date | None:
        if pos.y() < HEADER:
            return None
        col = int(pos.x() // (self.width() / 7))
        row = int((pos.y() - HEADER) // ((self.height() - HEADER) / 6))
        if not (0 <= col < 7 and 0 <= row < 6):
            return None
        return month_grid_start(self.month) + timedelta(days=row * 7 + col)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.fillRect(self.rect(), self.palette().base())
        text = self.palette().text().color()
        w = self.width() / 7
        for n, name in enumerate(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")):
            p.setPen(text)
            p.drawText(QRectF(n * w, 0, w, HEADER), int(Qt.AlignmentFlag.AlignCenter), name)
        start = month_grid_start(self.month)
        bold = QFont(p.font())
        bold.setBold(True)
        for n in range(42):
            day = start + timedelta(days=n)
            rect = self.cell_rect(day)
            if day == self.selected:
                p.fillRect(rect, self.palette().highlight().color().lighter(170))
            p.setPen(QPen(QColor("#d0d0d0")))
            p.drawRect(rect)
            p.setPen(text if day.month == self.month.month else QColor("#a0a0a0"))
            p.setFont(bold if day == self.today else self.font())
            count, names = self.days.get(day, (0, []))
            head = f"{day.day}" + (f"   {count} appt{'s' if count != 1 else ''}" if count else "")
            p.drawText(rect.adjusted(4, 2, -4, -2), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop), head)
            p.setFont(self.font())
            if names:
                shown = ", ".join(names[:NAMES_SHOWN]) + (" …" if count > NAMES_SHOWN else "")
                p.drawText(rect.adjusted(4, 20, -4, -2), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
                                                             | Qt.TextFlag.TextWordWrap), shown)
        if self.hasFocus():
            p.setPen(QPen(self.palette().highlight().color(), 2))
            p.drawRect(self.rect().adjusted(1, 1, -1, -1))
        p.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self.setFocus()
        day = self.day_at(event.position())
        if day is not None:
            self.sig_day_activated.emit(day)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.sig_day_activated.emit(self.selected)
        elif event.key() in NAV_KEYS:
            self.sig_navigation_requested.emit(NAV_KEYS[Qt.Key(event.key())])
        else:
            super().keyPressEvent(event)
