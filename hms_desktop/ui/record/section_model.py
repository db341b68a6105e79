"""One Qt table model for every record section: columns come from the model's fields."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from hms_desktop.domain.record_fields import FormField, list_columns
from hms_desktop.ui.record.clock import wall_text

_Index = QModelIndex | QPersistentModelIndex


def display_value(value: Any) -> str:
    """How a cell reads: local time for datetimes, ISO dates, yes/blank for flags."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return wall_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float):
        return f"{value:g}"
    text = str(getattr(value, "value", value))
    first = text.splitlines()[0] if text else ""
    return first[:120] + ("…" if len(first) > 120 or "\n" in text else "")


class SectionTableModel(QAbstractTableModel):
    """Rows are record models; inactive rows are greyed so a retired entry is never mistaken
    for a current one (they stay listed: nothing disappears from the record silently)."""

    def __init__(self, model: type[BaseModel], inactive_status: str, extra: list[FormField] | None = None,
                 parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = list_columns(model) + list(extra or [])
        self.inactive_status = inactive_status
        self.rows: list[Any] = []

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def row_at(self, row: int) -> Any | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return display_value(getattr(row, self.columns[index.column()].name, ""))
        if role == Qt.ItemDataRole.ForegroundRole and str(getattr(row, "status", "")) == self.inactive_status:
            return QColor("#888888")
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section].title
        return None
