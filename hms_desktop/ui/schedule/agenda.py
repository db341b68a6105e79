"""Agenda: the shown period as a plain list, the keyboard- and screen-reader-friendly
twin of the painted views (select a row, Enter to act on it)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from hms_desktop.ui.schedule.items import STATUS_LABELS, CalendarItem, status_colour

COLUMNS = ("When", "Provider", "Patient", "Reason", "Status", "ID")


class AgendaList(QTableWidget):
    sig_item_selected = Signal(str)
    """The selected appointment changed (empty: none)."""
    sig_item_activated = Signal(str)
    """Enter or double-click on an appointment."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setObjectName("schedule_agenda")
        self.setAccessibleName("Agenda")
        self.setHorizontalHeaderLabels(COLUMNS)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.itemSelectionChanged.connect(lambda: self.sig_item_selected.emit(self.current_id()))
        self.cellDoubleClicked.connect(lambda row, _c: self.sig_item_activated.emit(self.current_id()))

    def set_items(self, items: list[CalendarItem], provider_names: dict[str, str]) -> None:
        keep = self.current_id()
        self.blockSignals(True)
        self.setRowCount(len(items))
        for row, it in enumerate(items):
            cells = (f"{it.start:%a %d %b %H:%M}–{it.end:%H:%M}",
                     provider_names.get(it.provider_id, it.provider_id), it.title.split(" · ")[0],
                     it.title.split(" · ")[-1], STATUS_LABELS[it.status], it.id)
            for col, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setData(Qt.ItemDataRole.UserRole, it.id)
                if col == 4:
                    cell.setForeground(status_colour(it.status).darker(130))
                self.setItem(row, col, cell)
        self.blockSignals(False)
        self.select_id(keep)

    def current_id(self) -> str:
        rows = self.selectionModel().selectedRows()
        if not rows:
            return ""
        return str(self.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole))

    def select_id(self, item_id: str) -> None:
        for row in range(self.rowCount()):
            if self.item(row, 0).data(Qt.ItemDataRole.UserRole) == item_id:
                if self.current_id() != item_id:
                    self.selectRow(row)
                return

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.current_id():
            self.sig_item_activated.emit(self.current_id())
        else:
            super().keyPressEvent(event)
