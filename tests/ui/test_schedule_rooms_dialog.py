"""Rooms dialog: add a room, retire it; bad names are named."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytestqt.qtbot import QtBot

from hms_desktop.ui.schedule.rooms_dialog import RoomsDialog

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext

pytest_plugins = ["tests.ui.schedule_ctx"]


def test_add_and_retire_room(ctx: AppContext, qtbot: QtBot) -> None:
    dialog = RoomsDialog(ctx)
    qtbot.addWidget(dialog)
    assert dialog.list.count() == 1
    dialog.add_button.click()
    assert "name" in dialog.message.text()  # blank name refused, named
    dialog.name.setText("Ultrasound")
    dialog.kind.setCurrentText("equipment")
    dialog.add_button.click()
    qtbot.waitUntil(lambda: dialog.list.count() == 2, timeout=5000)
    assert "Ultrasound (equipment)" in dialog.list.item(1).text()
    dialog.list.setCurrentRow(1)
    dialog.toggle_button.click()
    qtbot.waitUntil(lambda: "retired" in dialog.message.text(), timeout=5000)
    assert not ctx.services.scheduling.rooms.get("ROM000002").active  # type: ignore[union-attr]
