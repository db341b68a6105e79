"""The Record tab: the current patient's clinical record (see tab.py, pages.py)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget


def create_tab(ctx: Any) -> QWidget:
    from hms_desktop.ui.record.tab import RecordTab

    return RecordTab(ctx)
