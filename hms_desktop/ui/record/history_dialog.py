"""Every saved version of one record entry: who changed what, and when."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.domain.record_fields import form_fields
from hms_desktop.ui.record.section_model import display_value


def version_changes(model: type[BaseModel], versions: list[Any]) -> list[tuple[Any, str]]:
    """(version, "Field: old → new; …") for each version; the first lists its values."""
    fields = form_fields(model, hidden=frozenset({"id", "patient_id"}))
    out: list[tuple[Any, str]] = []
    previous: Any = None
    for version in versions:
        record = version.record
        parts = []
        for f in fields:
            new = display_value(getattr(record, f.name, None))
            if previous is None:
                if new:
                    parts.append(f"{f.title}: {new}")
                continue
            old = display_value(getattr(previous, f.name, None))
            if old != new:
                parts.append(f"{f.title}: {old or '—'} → {new or '—'}")
        out.append((version, "; ".join(parts) or "(no change)"))
        previous = record
    return out


class HistoryDialog(QDialog):
    def __init__(self, model: type[BaseModel], title: str, versions: list[Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("record_history_dialog")
        self.setAccessibleName(title)
        rows = version_changes(model, versions)
        self.table = QTableWidget(len(rows), 4, self)
        self.table.setObjectName("history_table")
        self.table.setAccessibleName("Versions")
        self.table.setHorizontalHeaderLabels(["Version", "When", "Who", "What"])
        for r, (version, text) in enumerate(rows):
            cells = [str(version.version), display_value(version.at), str(version.by), text]
            for c, value in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.setObjectName("history_buttons")
        buttons.setAccessibleName("Close history")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(760, 320)
