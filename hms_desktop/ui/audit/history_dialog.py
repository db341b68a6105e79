"""One record's saved versions, opened from a row of the audit viewer: each as it was."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.storage.table import Version


class RecordHistoryDialog(QDialog):
    """A list of versions (who, when) and the chosen version's fields as they were saved."""

    def __init__(self, table: str, record_id: str, versions: list[tuple[Version[Any], dict[str, Any]]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("audit_history_dialog")
        self.setAccessibleName(f"History of {record_id}")
        self.setWindowTitle(f"History of {record_id} ({table})")
        self.resize(900, 560)
        self._versions = versions
        intro = QLabel(f"{len(versions)} saved version(s) of {record_id} in {table}, oldest first. "
                       "Choose one to see the record as it was then.", self)
        intro.setObjectName("audit_history_intro")
        intro.setAccessibleName("History explanation")
        intro.setWordWrap(True)
        self.versions = QListWidget(self)
        self.versions.setObjectName("audit_history_versions")
        self.versions.setAccessibleName("Versions")
        for version, _ in versions:
            when = version.at.strftime("%Y-%m-%d %H:%M:%S UTC") if version.at else "unknown time"
            self.versions.addItem(f"version {version.version}: {version.op} by {version.by} at {when}")
        self.fields = QPlainTextEdit(self)
        self.fields.setObjectName("audit_history_fields")
        self.fields.setAccessibleName("Record as it was")
        self.fields.setReadOnly(True)
        splitter = QSplitter(self)
        splitter.addWidget(self.versions)
        splitter.addWidget(self.fields)
        splitter.setSizes([340, 560])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.setObjectName("audit_history_buttons")
        buttons.setAccessibleName("Close history")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        self.versions.currentRowChanged.connect(self._show)
        if versions:
            self.versions.setCurrentRow(len(versions) - 1)
        self.versions.setFocus()

    def _show(self, row: int) -> None:
        if 0 <= row < len(self._versions):
            self.fields.setPlainText(json.dumps(self._versions[row][1], indent=2, ensure_ascii=False))
