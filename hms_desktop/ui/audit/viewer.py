"""The audit viewer: filter by user, patient, action and date; open a record's history from a
row; export what is shown as CSV (the export is logged).

Administrators only: the service refuses anyone else (``PermissionError``), and the dialog
shows that refusal instead of rows. Searching reads every journal and history file, seconds
at 100,000 patients, so it runs on a worker thread with a progress bar; the window stays live.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.services.audit_log import AuditFilter, AuditLogService, AuditRow, Cancelled
from hms_desktop.storage.table import Version
from hms_desktop.ui.interop.jobs import JobRunner

from .history_dialog import RecordHistoryDialog
from .table_model import AuditTableModel

ANY_ACTION = "Any action"


def _named(widget: QWidget, name: str, accessible: str) -> Any:
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)
    return widget


class AuditViewerDialog(QDialog):
    def __init__(self, service: AuditLogService, parent: QWidget | None = None, *,
                 today: date | None = None) -> None:
        super().__init__(parent)
        _named(self, "audit_viewer", "Audit log")
        self.setWindowTitle("Audit log")
        self.resize(1200, 680)  # fits 1366x768 with the task bar
        self._service = service
        self._runner = JobRunner(self)
        self._runner.sig_progress.connect(self._on_progress)
        self.history_dialog: RecordHistoryDialog | None = None
        self.exported: Path | None = None
        today = today or datetime.now(UTC).date()

        self.user = _named(QLineEdit(self), "audit_user", "User")
        self.user.setPlaceholderText("username (part of it is enough)")
        self.patient = _named(QLineEdit(self), "audit_patient", "Patient ID")
        self.patient.setPlaceholderText("e.g. PAT000123")
        self.action = _named(QComboBox(self), "audit_action", "Action")
        self.action.addItems([ANY_ACTION, *service.actions()])
        self.start = _named(QDateEdit(self), "audit_from", "From date")
        self.end = _named(QDateEdit(self), "audit_to", "To date")
        for edit, day in ((self.start, today - timedelta(days=7)), (self.end, today)):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(QDate(day.year, day.month, day.day))
        self.search_button = _named(QPushButton("&Search", self), "audit_search", "Search the audit log")
        self.search_button.setDefault(True)
        self.search_button.clicked.connect(self.search)

        form = QFormLayout()
        for label, field in (("&User:", self.user), ("&Patient:", self.patient), ("A&ction:", self.action),
                             ("&From (UTC):", self.start), ("&To (UTC):", self.end)):
            caption = QLabel(label, self)
            caption.setBuddy(field)
            caption.setObjectName(f"{field.objectName()}_label")
            caption.setAccessibleName(label.replace("&", "").rstrip(":"))
            form.addRow(caption, field)

        self.model = AuditTableModel()
        self.table = _named(QTableView(self), "audit_table", "Audit log rows")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.verticalHeader().setVisible(False)
        self.table.activated.connect(self.open_history)  # Enter or double-click on a row

        self.progress = _named(QProgressBar(self), "audit_progress", "Search progress")
        self.progress.setRange(0, 100)
        self.progress.hide()
        self.status = _named(QLabel("Choose filters and press Search.", self), "audit_status", "Audit log status")
        self.status.setWordWrap(True)
        self.history_button = _named(QPushButton("Open &history…", self), "audit_open_history",
                                     "Open the chosen record's history")
        self.history_button.clicked.connect(lambda: self.open_history(self.table.currentIndex()))
        self.export_button = _named(QPushButton("&Export shown…", self), "audit_export",
                                    "Export the rows shown as CSV")
        self.export_button.clicked.connect(self.choose_export)
        self.close_button = _named(QPushButton("C&lose", self), "audit_close", "Close the audit log")
        self.close_button.clicked.connect(self.reject)
        self._enable_row_actions()

        buttons = QHBoxLayout()
        buttons.addWidget(self.search_button)
        buttons.addWidget(self.progress, 1)
        buttons.addStretch()
        buttons.addWidget(self.history_button)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        self.user.setFocus()

    # ------------------------------------------------------------------ searching
    def current_filter(self) -> AuditFilter:
        action = self.action.currentText()
        return AuditFilter(user=self.user.text().strip(), patient_id=self.patient.text().strip().upper(),
                           action="" if action == ANY_ACTION else action,
                           start=self.start.date().toPython(), end=self.end.date().toPython())

    def search(self) -> None:
        self.search_button.setEnabled(False)
        self.progress.setValue(0)
        self.progress.show()
        self.status.setText("Searching…")
        self._runner.start(self._service.search, self.current_filter(), progress=self._runner.progress,
                           cancel=self._runner.cancel, on_done=self._on_rows, on_error=self._on_error)

    def _on_progress(self, step: str, fraction: float) -> None:
        self.progress.setValue(int(fraction * 100))
        self.status.setText(step)

    def _on_rows(self, rows: list[AuditRow]) -> None:
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()
        self._finish(f"{len(rows):,} row(s) shown, newest first.")
        if rows:
            self.table.selectRow(0)
        self._enable_row_actions()

    def _on_error(self, exc: BaseException) -> None:
        if isinstance(exc, Cancelled):
            return
        self.model.set_rows([])
        self._finish(str(exc) if isinstance(exc, PermissionError) else f"The search failed: {exc}")
        self._enable_row_actions()

    def _finish(self, text: str) -> None:
        self.progress.hide()
        self.search_button.setEnabled(True)
        self.status.setText(text)

    def _enable_row_actions(self) -> None:
        has_rows = bool(self.model.rows)
        self.export_button.setEnabled(has_rows)
        self.history_button.setEnabled(has_rows)
        reason = "" if has_rows else "Search first: there are no rows to use"
        self.export_button.setToolTip(reason)
        self.history_button.setToolTip(reason)

    # ------------------------------------------------------------------ from a row
    def open_history(self, index: QModelIndex) -> None:
        """The row's record, every version as it was: read on the worker (history files are
        large at 100,000 patients), shown in ``history_dialog`` when ready."""
        if not index.isValid():
            return
        row = self.model.rows[index.row()]
        table, record_id = row.table, row.record_id
        if not table and row.patient_id:
            table, record_id = "patients", row.patient_id  # an access-log line: the patient it was about
        if not table:
            self.status.setText("This row is not about a record (a sign-in, for example).")
            return
        self.status.setText(f"Reading the history of {record_id}…")
        self._runner.start(self._service.history, table, record_id,
                           on_done=lambda versions: self._show_history(table, record_id, versions),
                           on_error=lambda exc: self.status.setText(str(exc)))

    def _show_history(self, table: str, record_id: str, versions: list[tuple[Version[Any], dict[str, Any]]]) -> None:
        dialog = RecordHistoryDialog(table, record_id, versions, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.history_dialog = dialog
        self.status.setText(f"{len(versions)} version(s) of {record_id}.")

    # ------------------------------------------------------------------ export
    def choose_export(self) -> None:
        name = f"audit-log-{datetime.now(UTC):%Y%m%dT%H%M}.csv"
        path, _ = QFileDialog.getSaveFileName(self, "Export the audit log shown", name, "CSV (*.csv)")
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        try:
            self._service.export_csv(self.model.rows, path)
        except (PermissionError, OSError) as exc:
            self.status.setText(f"Not exported: {exc}")
            return
        self.exported = path
        self.status.setText(f"Exported {len(self.model.rows):,} row(s) to {path} (the export is in the access log).")

    def done(self, result: int) -> None:
        self._runner.stop()
        super().done(result)
