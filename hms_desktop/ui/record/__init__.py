"""The Record tab: the current patient's clinical record (see tab.py, pages.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext


def create_tab(ctx: AppContext) -> QWidget:
    from hms_desktop.ui.record.tab import RecordTab

    return RecordTab(ctx)
