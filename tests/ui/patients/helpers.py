"""Helpers for driving the patient widgets like a user."""

from __future__ import annotations

from typing import Any


def find(root: Any, accessible_name: str, kind: type | None = None) -> Any:
    from PySide6.QtWidgets import QWidget

    found = [w for w in root.findChildren(kind or QWidget) if w.accessibleName() == accessible_name]
    assert len(found) == 1, f"{accessible_name!r}: {len(found)} widgets"
    return found[0]


def type_text(qtbot: Any, edit: Any, text: str) -> None:
    """Type like a user; QTest only has ASCII keys, other letters arrive as an input method would."""
    edit.clear()
    for ch in text:
        if ch.isascii():
            qtbot.keyClicks(edit, ch)
        else:
            edit.insert(ch)


def show_active(qtbot: Any, widget: Any) -> None:
    """Show a top-level widget and make it active: keyboard focus moves only inside it."""
    qtbot.addWidget(widget)
    widget.show()
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow, timeout=3000)
