"""Alt keys for labels built from data (form fields), so every field of a dialog has one and
no two share a letter (the window-walker test checks the whole window)."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QWidget


def with_mnemonic(title: str, used: set[str]) -> str:
    """``title`` with "&" before its first letter not in ``used`` (which it then joins);
    unchanged when every letter is taken (a screen reader still reads the label)."""
    for i, ch in enumerate(title):
        if ch.isalnum() and ch.lower() not in used:
            used.add(ch.lower())
            return f"{title[:i]}&{title[i:]}"
    return title


def mnemonic_of(text: str) -> str:
    """The Alt letter of a caption ("" for none); "&&" is a literal ampersand."""
    i = 0
    while i < len(text) - 1:
        if text[i] == "&":
            if text[i + 1] != "&":
                return text[i + 1].lower()
            i += 1
        i += 1
    return ""


#: The main window's menu titles (&File, &View, &Help): visible on every tab.
MENU_KEYS = frozenset({"f", "v", "h"})


def _set_caption(widget: QWidget, text: str) -> None:
    if isinstance(widget, QGroupBox):
        widget.setTitle(text)
    elif isinstance(widget, (QAbstractButton, QLabel)):
        widget.setText(text)


def _caption(widget: QWidget) -> str | None:
    if isinstance(widget, QGroupBox):
        return widget.title()
    if isinstance(widget, QAbstractButton) or (isinstance(widget, QLabel) and widget.buddy() is not None):
        return widget.text()
    return None


def deconflict(root: QWidget, reserved: Iterable[str]) -> None:
    """Give every captioned control under ``root`` an Alt key no other one (nor ``reserved``)
    uses: a clash keeps the first owner, the later one moves to another of its letters, or
    loses its Alt key when none is free (a shared key reaches only one of them anyway).

    For pages assembled from parts written separately (the Record tab's pages sit under its
    header and the window's menus), where fixed captions cannot know their neighbours.
    """
    used = set(reserved)
    for widget in root.findChildren(QWidget):
        text = _caption(widget)
        key = mnemonic_of(text or "")
        if text is None or not key:
            continue
        if key not in used:
            used.add(key)
            continue
        plain = text.replace("&&", "\0").replace("&", "").replace("\0", "&&")
        _set_caption(widget, with_mnemonic(plain, used))
