"""Small questions the tab asks (override? which occurrences? cancel reason?), kept as
module functions so tests can answer them without a modal loop."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget


def ask_yes_no(parent: QWidget, title: str, text: str) -> bool:
    answer = QMessageBox.question(parent, title, text)
    return answer == QMessageBox.StandardButton.Yes


def ask_scope(parent: QWidget, title: str) -> str | None:
    """'this' or 'following' for a series member; None when the user backs out."""
    items = ["Only this appointment", "This and following appointments"]
    choice, ok = QInputDialog.getItem(parent, title, "Apply to:", items, 0, False)
    if not ok:
        return None
    return "this" if choice == items[0] else "following"


def ask_text(parent: QWidget, title: str, label: str) -> str | None:
    text, ok = QInputDialog.getText(parent, title, label)
    return text.strip() if ok else None


def choose_save_path(parent: QWidget, title: str, suggested: str, pattern: str) -> str | None:
    from PySide6.QtWidgets import QFileDialog

    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, pattern)
    return path or None
