"""Every control of the Record tab and its dialogs has an object name and an accessible name,
so screen readers can announce it and tests find it by name."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from hms_desktop.domain.record import SECTIONS
from hms_desktop.ui.record.tab import RecordTab
from tests.ui.record.conftest import PATIENT

CONTROLS = (QAbstractButton, QAbstractItemView, QComboBox, QLabel, QLineEdit, QPlainTextEdit)


def _inside_combo(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QComboBox):
            return True
        parent = parent.parentWidget()
    return widget.objectName().startswith("qt_")


def unnamed(root: QWidget) -> list[str]:
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or isinstance(widget, QHeaderView) or _inside_combo(widget):
            continue  # Qt's own parts of a table or combo box are announced through their owner
        if not widget.objectName() or not widget.accessibleName():
            text = widget.text() if hasattr(widget, "text") else ""
            missing.append(f"{type(widget).__name__} {widget.objectName()!r} {text!r}")
    return missing


def test_every_control_is_named(record_tab: RecordTab, record_ctx: Any) -> None:
    record_ctx.current_patient.select(PATIENT)
    roots: list[QWidget] = [record_tab.header, record_tab.page_list]
    for title, _factory in record_tab.factories:
        page = record_tab.show_page(title)
        if type(page).__module__.startswith("hms_desktop.ui.record."):  # pages other features add test themselves
            roots.append(page)
    missing = [m for root in roots for m in unnamed(root)]
    assert missing == [], "\n".join(missing)
    for info in SECTIONS.values():
        dialog = record_tab.page(info.title).add_entry()
        assert unnamed(dialog) == [], info.title
        dialog.reject()
