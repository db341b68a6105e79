"""The Patients tab: registration, search as you type, duplicates, history, merge.

``PatientPicker`` (picker.py) is the reusable "choose a patient" widget for other tabs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext


def create_tab(ctx: AppContext) -> QWidget:
    """The Patients tab for the main window (contract: docs/contracts.md)."""
    from hms_desktop.ui.patients.tab import PatientsTab

    return PatientsTab(ctx)
