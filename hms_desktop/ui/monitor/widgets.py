"""Small constructors that give every monitor widget its object and accessible name.

Tests and screen readers find widgets by accessible name, so no widget is made without one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtWidgets import (
    QBoxLayout,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.ui.common.naming import named as _named

W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str) -> W:
    """Monitor widgets are read aloud by their object name, exactly as written."""
    return _named(widget, name, name)


def label(name: str, text: str = "", *, point_size: int = 0, bold: bool = False) -> QLabel:
    lab = named(QLabel(text), name)
    if point_size or bold:
        font = lab.font()
        if point_size:
            font.setPointSize(point_size)
        font.setBold(bold)
        lab.setFont(font)
    return lab


def button(name: str, text: str, slot: Callable[[], Any] | None = None) -> QPushButton:
    b = named(QPushButton(text), name)
    if slot is not None:
        b.clicked.connect(lambda: slot())
    return b


def error_label(name: str) -> QLabel:
    """Where a form says what is wrong, naming the field."""
    lab = label(name)
    lab.setWordWrap(True)
    lab.setStyleSheet("color: #d32f2f;")
    return lab


def row(*items: Any, stretch_before: int | None = None) -> QBoxLayout:
    """A horizontal row of widgets; ``stretch_before`` inserts a stretch before that index."""
    from PySide6.QtWidgets import QHBoxLayout

    layout = QHBoxLayout()
    for i, item in enumerate(items):
        if stretch_before == i:
            layout.addStretch(1)
        layout.addWidget(item)
    return layout


def dialog_body(dialog: QDialog, form: QLayout, error: QLabel, buttons_name: str,
                ok: QDialogButtonBox.StandardButton) -> QDialogButtonBox:
    """Form, error line, OK/Cancel: the layout every monitor dialog uses."""
    buttons = named(QDialogButtonBox(ok | QDialogButtonBox.StandardButton.Cancel), buttons_name)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addLayout(form)
    layout.addWidget(error)
    layout.addWidget(buttons)
    return buttons
