"""A record page follows the current patient and refreshes lazily.

Pages are many and a patient switch should feel instant, so a page only marks itself stale
on a patient change or a change event for its tables, and reloads when it is next shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext


class PatientPage(QWidget):
    """Subclasses set ``tables`` (the storage tables they show) and implement ``refresh``."""

    tables: frozenset[str] = frozenset()

    def __init__(self, ctx: AppContext, name: str, accessible: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName(name)
        self.setAccessibleName(accessible)
        self.patient_id: str = ctx.current_patient.patient_id or ""
        self._stale = True
        ctx.current_patient.sig_patient_changed.connect(self._on_patient_changed)
        ctx.changes.sig_changed.connect(self._on_change)

    def _on_patient_changed(self, patient_id: str) -> None:
        self.patient_id = patient_id or ""
        self.mark_stale()

    def _on_change(self, change: Any) -> None:
        if getattr(change, "table", None) in self.tables or not self.tables:
            self.mark_stale()

    def mark_stale(self) -> None:
        self._stale = True
        if self.isVisible():
            self.reload()

    def reload(self) -> None:
        self._stale = False
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.reload()

    def refresh(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError
