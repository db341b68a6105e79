"""Custom-painted time grid shared by the day view (a column per provider) and the week
view (a column per day): blocks coloured by status, a current-time line, drag to move,
drag the lower edge to resize, and keyboard equivalents.

The view never saves anything. A drop emits ``sig_move_requested``; the view shows the
block at its new place until the owner either reloads the content (accepted) or calls
``refuse(message)``, which puts the block back and shows the reason in red.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from hms_desktop.ui.schedule.geometry import Scale, at_minutes, lanes, minutes_of, snap
from hms_desktop.ui.schedule.items import (
    STATUS_LABELS,
    CalendarItem,
    Column,
    status_colour,
    status_fill,
)

HEADER = 28.0
GUTTER = 48.0
EDGE = 6.0  # pixels at a block's lower edge that grab "resize" instead of "move"
KEY_STEP = 15  # minutes per Ctrl+arrow move / resize
SHORTEST_BLOCK_MINUTES = 20  # the shortest common appointment must show its time and name
MIN_COLUMN = 120.0  # narrower and names and times become unreadable: scroll sideways instead

KEY_HELP = ("Left/Right: day · Up/Down: week · PageUp/PageDown: period · T: today · "
            "N/P: next/previous appointment · Enter: actions · Ctrl+Up/Down: move 15 min · "
            "Ctrl+Shift+Up/Down: resize · double-click empty time: book")

NAV_KEYS = {
    Qt.Key.Key_Left: "left", Qt.Key.Key_Right: "right", Qt.Key.Key_Up: "up",
    Qt.Key.Key_Down: "down", Qt.Key.Key_T: "today", Qt.Key.Key_PageUp: "page_up",
    Qt.Key.Key_PageDown: "page_down",
}




@dataclass(slots=True)
class _Drag:
    item: CalendarItem
    mode: str  # "move" or "resize"
    press: QPointF
    preview: CalendarItem


class TimeGridView(QWidget):
    """Columns of a day-long time axis with appointment blocks."""

    sig_move_requested = Signal(str, object, object, object)
    """An item was dropped or keyed to a new place: id, new start, new end (wall-clock), provider id or None."""
    sig_item_selected = Signal(str)
    """The selected appointment changed (empty string: none)."""
    sig_item_activated = Signal(str)
    """An appointment was double-clicked or Enter pressed on it."""
    sig_slot_activated = Signal(object, object)
    """Empty time was double-clicked: wall-clock start, provider id or None."""
    sig_navigation_requested = Signal(str)
    """A navigation key: left, right, up, down, today, page_up, page_down."""
    sig_column_activated = Signal(object)
    """A column header was double-clicked: the Column (a provider's day, or a date)."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName(name.replace("_", " "))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setMinimumSize(400, 400)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.columns: list[Column] = []
        self.items: list[CalendarItem] = []
        self.now: datetime | None = None
        self.selected_id = ""
        self.message = ""
        self.empty_text = "Nothing to show"  # painted when there are no columns at all
        self._drag: _Drag | None = None
        self._pending: CalendarItem | None = None  # dropped, waiting for accept/refuse
        self._rects: list[tuple[QRectF, CalendarItem]] = []
        self._hours: tuple[int, int] | None = None
        self._column_keys: dict[tuple[date, str | None], int] = {}
        self._dirty = True
        self._message_timer = QTimer(self)
        self._message_timer.setSingleShot(True)
        self._message_timer.timeout.connect(self._clear_message)

    # ----- content --------------------------------------------------------------------
    def set_content(self, columns: list[Column], items: list[CalendarItem],
                    now: datetime | None = None) -> None:
        """Replace what is shown; an accepted drop arrives here as fresh content."""
        self.columns, self.items, self.now = columns, items, now
        self._hours = None
        self._column_keys = {(c.day.date(), c.provider_id): n for n, c in enumerate(columns)}
        # Many providers: keep every column readable; the scroll area around the view scrolls.
        self.setMinimumWidth(int(GUTTER + len(columns) * MIN_COLUMN))
        self._fit_shortest_block()
        self._pending = None
        if self.selected_id and all(i.id != self.selected_id for i in items):
            self.selected_id = ""
        self._dirty = True
        self.update()

    def refuse(self, message: str) -> None:
        """A requested move was refused: put the block back and say why, visibly."""
        self._pending = None
        self.message = message
        self.setAccessibleDescription(message)
        self._dirty = True
        self._message_timer.start(6000)
        self.update()

    def _clear_message(self) -> None:
        self.message = ""
        self.update()

    def select(self, item_id: str) -> None:
        if item_id != self.selected_id:
            self.selected_id = item_id
            self.sig_item_selected.emit(item_id)
            self.update()

    # ----- geometry -------------------------------------------------------------------
    def _fit_shortest_block(self) -> None:
        """Tall enough that a 20-minute block holds one whole line of text at any font size or
        scale factor (at 1366×768 its text was cut in half; at 2× it showed none): the
        scroll area around the view scrolls vertically instead."""
        first, last = self.scale().first_hour, self.scale().last_hour
        line = QFontMetrics(self.font()).lineSpacing() + 4
        self.setMinimumHeight(int(HEADER + 4 + (last - first) * 60 * line / SHORTEST_BLOCK_MINUTES) + 1)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_shortest_block()

    def scale(self) -> Scale:
        """07:00-20:00, widened to show every item; hours are cached per content."""
        if self._hours is None:
            first, last = 7, 20
            for it in self.items:
                first = min(first, it.start.hour)
                last = max(last, min(24, it.end.hour + (1 if it.end.minute else 0))
                           if it.end.date() == it.start.date() else 24)
            self._hours = (first, last)
        return Scale(*self._hours, HEADER, max(1.0, self.height() - HEADER - 4))

    def column_width(self) -> float:
        return (self.width() - GUTTER) / max(1, len(self.columns))

    def column_at(self, x: float) -> int:
        index = int((x - GUTTER) // self.column_width())
        return max(0, min(len(self.columns) - 1, index))

    def header_text(self, n: int) -> str:
        """Column label elided to its width (the full text is the header's tooltip)."""
        bold = QFont(self.font())
        bold.setBold(True)  # today's header is bold: measure the widest case
        metrics = QFontMetrics(bold)
        return metrics.elidedText(self.columns[n].label, Qt.TextElideMode.ElideRight,
                                  int(self.column_width() - 6))

    def tooltip_at(self, pos: QPointF) -> str:
        """Full column label over a header, the appointment over a block, else the keys."""
        if self.columns and pos.x() >= GUTTER and pos.y() < HEADER:
            column = self.columns[self.column_at(pos.x())]
            what = "only this provider" if column.provider_id else "this day"
            return f"{column.label} (double-click: show {what})"
        found = self.hit(pos)
        if found is not None:
            item = found[0]
            return f"{item.start:%H:%M}–{item.end:%H:%M} {item.title} — {STATUS_LABELS[item.status]}"
        return KEY_HELP

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            QToolTip.showText(event.globalPos(), self.tooltip_at(QPointF(event.pos())), self)
            return True
        return super().event(event)

    def _column_of(self, item: CalendarItem) -> int | None:
        day = item.start.date()
        n = self._column_keys.get((day, item.provider_id))
        return n if n is not None else self._column_keys.get((day, None))

    def shown_items(self) -> list[CalendarItem]:
        """Items as drawn: a drag preview or a pending drop replaces the original."""
        moving = self._drag.preview if self._drag else self._pending
        if moving is None:
            return self.items
        return [moving if i.id == moving.id else i for i in self.items]

    def item_rects(self) -> list[tuple[QRectF, CalendarItem]]:
        if self._dirty or self._drag is not None:
            self._rects = self._layout()
            self._dirty = self._drag is not None
        return self._rects

    def _layout(self) -> list[tuple[QRectF, CalendarItem]]:
        scale, width = self.scale(), self.column_width()
        per_column: dict[int, list[CalendarItem]] = {}
        for item in self.shown_items():
            n = self._column_of(item)
            if n is not None:
                per_column.setdefault(n, []).append(item)
        out = []
        for n, column_items in per_column.items():
            placed = lanes([(i.start, i.end) for i in column_items])
            for item, (lane, count) in zip(column_items, placed, strict=True):
                lane_w = (width - 4) / count
                x = GUTTER + n * width + 2 + lane * lane_w
                end_min = minutes_of(item.end) if item.end.date() == item.start.date() else 24 * 60
                top, bottom = scale.y(minutes_of(item.start)), scale.y(end_min)
                out.append((QRectF(x, top, lane_w - 1, max(4.0, bottom - top)), item))
        return out

    def rect_of(self, item_id: str) -> QRectF | None:
        return next((r for r, i in self.item_rects() if i.id == item_id), None)

    def hit(self, pos: QPointF) -> tuple[CalendarItem, str] | None:
        for rect, item in reversed(self.item_rects()):
            if rect.contains(pos):
                return item, ("resize" if pos.y() >= rect.bottom() - EDGE else "move")
        return None

    # ----- painting -------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.fillRect(self.rect(), self.palette().base())
        scale, width = self.scale(), self.column_width()
        grid = QPen(QColor("#d0d0d0"))
        p.setPen(grid)
        for hour in range(scale.first_hour, scale.last_hour + 1):
            y = scale.y(hour * 60)
            p.setPen(self.palette().text().color())
            p.drawText(QRectF(0, y - 8, GUTTER - 4, 16),
                       int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), f"{hour:02d}:00")
            p.setPen(grid)
            p.drawLine(QPointF(GUTTER, y), QPointF(self.width(), y))
        today = self.now.date() if self.now else None
        for n, col in enumerate(self.columns):
            x = GUTTER + n * width
            p.setPen(grid)
            p.drawLine(QPointF(x, 0), QPointF(x, self.height()))
            p.setPen(self.palette().text().color())
            font = QFont(p.font())
            font.setBold(col.day.date() == today)
            p.setFont(font)
            p.drawText(QRectF(x + 2, 0, width - 4, HEADER),
                       int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextSingleLine), self.header_text(n))
        p.setFont(self.font())
        if not self.columns:  # say why the grid is blank and what to do, not an empty canvas
            p.setPen(self.palette().text().color())
            p.drawText(QRectF(GUTTER, HEADER, self.width() - GUTTER, self.height() - HEADER),
                       int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), self.empty_text)
        metrics = QFontMetrics(self.font())  # once per paint, not per block
        for rect, item in self.item_rects():
            self._paint_block(p, rect, item, metrics)
        if self.now is not None:
            self._paint_now(p, scale, width)
        if self.message:
            banner = QRectF(GUTTER, HEADER, self.width() - GUTTER, 24)
            p.fillRect(banner, QColor("#b00020"))
            p.setPen(QColor("white"))
            p.drawText(banner.adjusted(6, 0, -6, 0), int(Qt.AlignmentFlag.AlignVCenter), self.message)
        if self.hasFocus():
            p.setPen(QPen(self.palette().highlight().color(), 2))
            p.drawRect(self.rect().adjusted(1, 1, -1, -1))
        p.end()

    def _paint_block(self, p: QPainter, rect: QRectF, item: CalendarItem, metrics: QFontMetrics) -> None:
        colour = status_colour(item.status)
        p.fillRect(rect, status_fill(item.status) if item is not self._drag_item() else colour.lighter(120))
        p.fillRect(QRectF(rect.left(), rect.top(), 3, rect.height()), colour)
        selected = item.id == self.selected_id
        p.setPen(QPen(self.palette().highlight().color() if selected else colour, 2 if selected else 1))
        p.drawRect(rect)
        if rect.width() < 24 or rect.height() < 10:
            return  # too small for legible text (many overlapping lanes); the agenda lists it
        p.setPen(QColor("#202020"))
        p.drawText(rect.adjusted(5, 1, -2, -1), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop),
                   self.block_text(item, rect, metrics))

    def block_text(self, item: CalendarItem, rect: QRectF, metrics: QFontMetrics | None = None) -> str:
        """What a block shows: whole lines, each elided, as many as fit. Word-wrapping a short
        block cut lines in half ("09:00 Ömer-"); eliding keeps the time and name legible."""
        metrics = metrics or QFontMetrics(self.font())
        room = int(rect.width() - 7)
        lines = [f"{item.start:%H:%M} {item.title}", STATUS_LABELS[item.status]]
        fit = max(1, int((rect.height() - 2) // metrics.lineSpacing()))
        return "\n".join(metrics.elidedText(line, Qt.TextElideMode.ElideRight, room) for line in lines[:fit])

    def _drag_item(self) -> CalendarItem | None:
        return self._drag.preview if self._drag else None

    def _paint_now(self, p: QPainter, scale: Scale, width: float) -> None:
        assert self.now is not None
        minutes = minutes_of(self.now)
        if not scale.first_hour * 60 <= minutes <= scale.last_hour * 60:
            return
        y = scale.y(minutes)
        p.setPen(QPen(QColor("#e53935"), 2))
        for n, col in enumerate(self.columns):
            if col.day.date() == self.now.date():
                p.drawLine(QPointF(GUTTER + n * width, y), QPointF(GUTTER + (n + 1) * width, y))

    # ----- mouse ----------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self.setFocus()
        found = self.hit(event.position())
        if found is None:
            self.select("")
            return
        item, mode = found
        self.select(item.id)
        if event.button() == Qt.MouseButton.LeftButton and item.movable:
            self._drag = _Drag(item, mode, event.position(), item)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._drag is None:
            found = self.hit(event.position())
            shape = Qt.CursorShape.ArrowCursor
            if found is not None and found[0].movable:
                shape = Qt.CursorShape.SizeVerCursor if found[1] == "resize" else Qt.CursorShape.OpenHandCursor
            self.setCursor(shape)
            return
        self._drag.preview = self._dragged(event.position())
        self.update()

    def _dragged(self, pos: QPointF) -> CalendarItem:
        drag = self._drag
        assert drag is not None
        original = drag.item
        delta = snap((pos.y() - drag.press.y()) / self.scale().px_per_minute)
        if drag.mode == "resize":
            end = max(original.start + timedelta(minutes=5), original.end + timedelta(minutes=delta))
            return replace(original, end=end)
        column = self.columns[self.column_at(pos.x())]
        start_min = minutes_of(original.start) + delta
        start = at_minutes(column.day, max(0, min(24 * 60 - 5, start_min)))
        provider = column.provider_id or original.provider_id
        return replace(original, start=start, end=start + (original.end - original.start),
                       provider_id=provider)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._drag is None:
            return
        moved = self._dragged(event.position())
        drag, self._drag = self._drag, None
        self._dirty = True
        if (moved.start, moved.end, moved.provider_id) != (drag.item.start, drag.item.end,
                                                           drag.item.provider_id):
            self._request(moved)
        self.update()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        found = self.hit(event.position())
        if found is not None:
            self.sig_item_activated.emit(found[0].id)
            return
        if not self.columns or event.position().x() < GUTTER:
            return
        if event.position().y() < HEADER:
            self.sig_column_activated.emit(self.columns[self.column_at(event.position().x())])
            return
        column = self.columns[self.column_at(event.position().x())]
        minutes = snap(self.scale().minutes(event.position().y()), 15)
        self.sig_slot_activated.emit(at_minutes(column.day, minutes), column.provider_id)

    def _request(self, moved: CalendarItem) -> None:
        self._pending = moved
        self._dirty = True
        original = next(i for i in self.items if i.id == moved.id)
        provider = moved.provider_id if moved.provider_id != original.provider_id else None
        self.sig_move_requested.emit(moved.id, moved.start, moved.end, provider)

    # ----- keyboard -------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key, mods = event.key(), event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        if ctrl and key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and self.selected_id:
            self._key_move(-KEY_STEP if key == Qt.Key.Key_Up else KEY_STEP, resize=shift)
        elif key in (Qt.Key.Key_N, Qt.Key.Key_P) and not ctrl:
            self._step_selection(1 if key == Qt.Key.Key_N else -1)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.selected_id:
            self.sig_item_activated.emit(self.selected_id)
        elif key in NAV_KEYS and not ctrl:
            self.sig_navigation_requested.emit(NAV_KEYS[Qt.Key(key)])
        else:
            super().keyPressEvent(event)

    def _step_selection(self, step: int) -> None:
        ordered = sorted(self.items, key=lambda i: (i.start, i.provider_id))
        if not ordered:
            return
        ids = [i.id for i in ordered]
        at = ids.index(self.selected_id) if self.selected_id in ids else -step if step > 0 else 0
        self.select(ids[(at + step) % len(ids)])

    def _key_move(self, minutes: int, *, resize: bool) -> None:
        item = next((i for i in self.items if i.id == self.selected_id), None)
        if item is None or not item.movable:
            return
        delta = timedelta(minutes=minutes)
        if resize:
            moved = replace(item, end=max(item.start + timedelta(minutes=5), item.end + delta))
        else:
            moved = replace(item, start=item.start + delta, end=item.end + delta)
        self._request(moved)
        self.update()


def week_columns(monday: date) -> list[Column]:
    days = [datetime.combine(monday + timedelta(days=n), datetime.min.time()) for n in range(7)]
    return [Column(f"{d:%Y-%m-%d}", f"{d:%a %d %b}", d, None) for d in days]
