"""Agenda: the shown period as a plain list, the keyboard- and screen-reader-friendly
twin of the painted views (select a row, Enter to act on it).

A table model rather than one item per cell: a busy clinic week is thousands of rows and
the view only asks for the rows it shows.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from hms_desktop.ui.schedule.items import STATUS_LABELS, CalendarItem, status_colour

COLUMNS = ("When", "Provider", "Patient", "Reason", "Status", "ID")
Index = QModelIndex | QPersistentModelIndex


class AgendaModel(QAbstractTableModel):
    """CalendarItems as rows; text is made only for the cells the view paints."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[CalendarItem] = []
        self.provider_names: dict[str, str] = {}
        self._text: dict[int, tuple[str, ...]] = {}  # row -> cell texts, made on first paint
        self.show_date = True

    def set_items(self, items: list[CalendarItem], provider_names: dict[str, str], *,
                  show_date: bool = True) -> None:
        """``show_date=False`` when every row is on the one shown day: the time alone is enough."""
        self.beginResetModel()
        self.items, self.provider_names, self.show_date = items, provider_names, show_date
        self._text.clear()
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 (Qt override)
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._row_text(index.row())[index.column()]
        if role == Qt.ItemDataRole.UserRole:
            return self.items[index.row()].id
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 4:
            return status_colour(self.items[index.row()].status).darker(130)
        return None

    def _row_text(self, row: int) -> tuple[str, ...]:
        text = self._text.get(row)
        if text is None:
            it = self.items[row]
            name, _, reason = it.title.partition(" · ")
            text = self._text[row] = (
                f"{it.start:%a %d %b %H:%M}–{it.end:%H:%M}" if self.show_date
                else f"{it.start:%H:%M}–{it.end:%H:%M}",
                self.provider_names.get(it.provider_id, it.provider_id), name, reason,
                STATUS_LABELS[it.status], it.id)
        return text


class AgendaList(QTableView):
    sig_item_selected = Signal(str)
    """The selected appointment changed (empty: none)."""
    sig_item_activated = Signal(str)
    """Enter or double-click on an appointment."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("schedule_agenda")
        self.setAccessibleName("Agenda")
        self.agenda_model = AgendaModel(self)
        self.setModel(self.agenda_model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.setTabKeyNavigation(False)  # Tab leaves the list (arrows move in it): no keyboard trap
        self.setWordWrap(False)  # one line per appointment: wrapped rows halved what fits on screen
        self._widths(show_date=True)
        self.selectionModel().selectionChanged.connect(lambda *_: self.sig_item_selected.emit(self.current_id()))
        self.doubleClicked.connect(lambda _i: self.sig_item_activated.emit(self.current_id()))

    def _widths(self, *, show_date: bool) -> None:
        """When and Status sized from the font for their longest text (not by measuring every
        row: a week is thousands of rows); names take what is left."""
        fm = self.fontMetrics()
        when = "Wed 28 Sep 10:00–10:30" if show_date else "10:00–10:30"
        self.setColumnWidth(0, fm.horizontalAdvance(when) + 16)
        self.setColumnWidth(4, fm.horizontalAdvance("Checked in") + 16)

    def set_items(self, items: list[CalendarItem], provider_names: dict[str, str], *,
                  show_date: bool = True) -> None:
        keep = self.current_id()
        self.selectionModel().blockSignals(True)
        self.agenda_model.set_items(items, provider_names, show_date=show_date)
        self._widths(show_date=show_date)
        self.selectionModel().blockSignals(False)
        self.select_id(keep)

    def current_id(self) -> str:
        rows = self.selectionModel().selectedRows()
        return self.agenda_model.items[rows[0].row()].id if rows else ""

    def select_id(self, item_id: str) -> None:
        if not item_id or item_id == self.current_id():
            return
        for row, it in enumerate(self.agenda_model.items):
            if it.id == item_id:
                self.selectRow(row)
                return

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.current_id():
            self.sig_item_activated.emit(self.current_id())
        else:
            super().keyPressEvent(event)
