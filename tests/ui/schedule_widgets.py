"""Finding Schedule widgets as a user does (by accessible name) and opening the real tab."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from hms_desktop.ui.schedule import create_tab
from hms_desktop.ui.schedule.tab import ScheduleTab


def find(parent: QWidget, cls: type, accessible: str):  # type: ignore[no-untyped-def]
    """The one child of ``cls`` a screen reader would call ``accessible``."""
    found = [w for w in parent.findChildren(cls) if w.accessibleName() == accessible]
    if len(found) != 1:
        raise AssertionError(f"{accessible}: {found}")
    return found[0]


def open_tab(ctx: Any, qtbot: QtBot, size: tuple[int, int], day: date, provider_id: str = "") -> ScheduleTab:
    """The real tab, shown at ``size`` on ``day`` in day mode (one provider if given)."""
    widget = create_tab(ctx)
    assert isinstance(widget, ScheduleTab)
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    if provider_id:
        widget.provider_box.setCurrentIndex(widget.provider_box.findData(provider_id))
    widget.day = day
    widget.set_mode("day")
    return widget
