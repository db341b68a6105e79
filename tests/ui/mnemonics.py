"""Which Alt+letter mnemonics a window offers right now, and which are taken twice.

Only visible controls count: Qt ignores the shortcut of a hidden widget, so two pages of a
stack may reuse a letter; two controls on screen at once may not (issue 11 item 16).
"""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QMenuBar, QTabBar, QWidget


def mnemonic(text: str) -> str | None:
    """The letter after a single '&' ("&&" is a literal ampersand), lower-cased."""
    i = 0
    while i < len(text) - 1:
        if text[i] == "&":
            if text[i + 1] == "&":
                i += 2
                continue
            return text[i + 1].lower()
        i += 1
    return None


def visible_mnemonics(window: QWidget) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)

    def add(text: str, where: str) -> None:
        letter = mnemonic(text)
        if letter:
            found[letter].append(where or text)

    for w in [window, *window.findChildren(QWidget)]:
        if not w.isVisible():
            continue
        if isinstance(w, QAbstractButton):
            add(w.text(), w.text())
        elif isinstance(w, QLabel) and w.buddy() is not None:
            add(w.text(), w.text())
        elif isinstance(w, QGroupBox):
            add(w.title(), w.title())
        elif isinstance(w, QTabBar):
            for i in range(w.count()):
                if w.isTabVisible(i):
                    add(w.tabText(i), f"tab {w.tabText(i)}")
        elif isinstance(w, QMenuBar):
            for action in w.actions():
                add(action.text(), f"menu {action.text()}")
    return dict(found)


def duplicated_mnemonics(window: QWidget) -> dict[str, list[str]]:
    return {k: v for k, v in visible_mnemonics(window).items() if len(v) > 1}
