"""Small helpers shared by the patient widgets."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from PySide6.QtWidgets import QMessageBox, QWidget

from hms_desktop.domain.patient import DEFAULT_PHONE_REGION
from hms_desktop.ui.common.naming import named

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext

W = TypeVar("W", bound=QWidget)

name_widget = named  # the patient widgets' name for the shared helper


def phone_region(ctx: AppContext) -> str:
    """The clinic's default phone region (ISO country code) from the clinic settings."""
    return ctx.settings.phone_region or DEFAULT_PHONE_REGION


def confirm(parent: QWidget, title: str, text: str) -> bool:
    """A yes/no question; one function so every confirmation looks and behaves the same."""
    answer = QMessageBox.question(parent, title, text,
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def name_inner_buttons(root: QWidget) -> None:
    """Qt's own helper buttons (a line edit's clear button, a table's corner button) get names
    from their owner, so screen readers and tests never meet an anonymous control."""
    from PySide6.QtWidgets import QAbstractButton, QLineEdit, QTableView

    for button in root.findChildren(QAbstractButton):
        if button.accessibleName():
            continue
        owner = button.parentWidget()
        role = "clear" if isinstance(owner, QLineEdit) else "select all" if isinstance(owner, QTableView) else "button"
        owner_name = owner.accessibleName() if owner is not None else ""
        name_widget(button, f"{owner.objectName() if owner else 'inner'}_{role.replace(' ', '_')}",
                    f"{owner_name} {role}".strip())
