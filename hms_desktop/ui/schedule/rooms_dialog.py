"""Rooms and equipment that appointments can book (a room is in one appointment at a time)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import ValidationError
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.domain.field_limits import limit
from hms_desktop.domain.scheduling import Room
from hms_desktop.domain.validation_text import describe_validation_error
from hms_desktop.ui.schedule.dialog_base import ScheduleDialog
from hms_desktop.ui.schedule.naming import named

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext


class RoomsDialog(ScheduleDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "schedule_rooms_dialog", "Rooms and equipment", parent)
        self.list = named(QListWidget(), "schedule_rooms_list", "Rooms")
        self.name = named(QLineEdit(), "schedule_room_name", "Room name")
        self.name.setMaxLength(limit("Room", "name"))
        self.kind = named(QComboBox(), "schedule_room_kind", "Room kind")
        self.kind.addItems(["room", "equipment"])
        self.add_button = named(QPushButton("&Add"), "schedule_room_add", "Add room")
        self.toggle_button = named(QPushButton("&Retire / reactivate"), "schedule_room_toggle",
                                   "Retire or reactivate room")
        row = QHBoxLayout()
        for w in (self.name, self.kind, self.add_button):
            row.addWidget(w)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addLayout(row)
        layout.addWidget(self.toggle_button)
        layout.addWidget(self.message)
        self.add_button.clicked.connect(self.add)
        self.toggle_button.clicked.connect(self.toggle)
        self.fill()

    def fill(self) -> None:
        self.list.clear()
        for room in self.service.rooms.all():
            item = QListWidgetItem(f"{room.name} ({room.kind}){'' if room.active else ' — retired'}")
            item.setData(Qt.ItemDataRole.UserRole, room.id)
            self.list.addItem(item)

    def _done(self, text: str) -> None:
        self.fill()
        self.say(text)

    def add(self) -> None:
        try:
            room = Room(name=self.name.text().strip(), kind=self.kind.currentText())
        except ValidationError as exc:
            self.say(describe_validation_error(exc), error=True)
            return
        self.ctx.run(self.service.add_room, room, on_done=lambda r: self._done(f"Added {r.id}."),
                     on_error=self._failed, what=f"adding room {room.name}")

    def toggle(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        room = self.service.rooms.get(str(item.data(Qt.ItemDataRole.UserRole)))
        if room is None:
            return
        self.ctx.run(self.service.set_room_active, room.id, not room.active, on_done=lambda r: self._done(f"{r.name} {'reactivated' if r.active else 'retired'}."),
                     on_error=self._failed, what=f"changing room {room.name}")
