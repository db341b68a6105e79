"""The one page every record section uses: a list with Add, Edit, Mark inactive and History.

Behaviour that differs per section is a small override (notes amend instead of editing,
visits can book a follow-up); the list, the dialog and the saving path are shared.
"""

from __future__ import annotations

import getpass
from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.domain.accounts import Permission
from hms_desktop.domain.record import SECTIONS, Section
from hms_desktop.domain.record_fields import form_fields
from hms_desktop.ui.record.entry_dialog import RecordEntryDialog
from hms_desktop.ui.record.history_dialog import HistoryDialog
from hms_desktop.ui.record.page_base import PatientPage
from hms_desktop.ui.record.section_model import SectionTableModel, display_value
from hms_desktop.ui.record.widgets import button

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext


def current_user(ctx: object = None) -> str:
    """The note's author: the signed-in user (name and registration number), else the OS user."""
    user = getattr(ctx, "user", None)
    if user is not None and not user.system:
        return f"{user.display_name} ({user.registration_number})" if user.registration_number \
            else str(user.display_name)
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


class SectionPage(PatientPage):
    """List + actions for one section of the current patient's record."""

    def __init__(self, ctx: AppContext, section: Section, parent: QWidget | None = None) -> None:
        self.section = section
        self.info = SECTIONS[section]
        self.tables = frozenset({section.value})
        slug = section.value
        super().__init__(ctx, f"record_page_{slug}", self.info.title, parent)
        self.dialog: RecordEntryDialog | None = None
        self.history_dialog: HistoryDialog | None = None

        self.add_button = button(self, "&Add…", f"{slug}_add", f"Add {self.info.title.lower()} entry")
        self.edit_button = button(self, "&Edit…", f"{slug}_edit", "Edit selected entry")
        self.inactive_button = button(self, "Mark &inactive", f"{slug}_inactive", "Mark selected entry inactive")
        self.history_button = button(self, "Histor&y…", f"{slug}_history", "History of selected entry")
        ctx.write_guard.register(self.add_button, self.edit_button, self.inactive_button,
                                 needs=Permission.EDIT_RECORD, writes=False)
        self.show_inactive = QCheckBox("Show inactive", self)
        self.show_inactive.setObjectName(f"{slug}_show_inactive")
        self.show_inactive.setAccessibleName("Show inactive entries")
        self.show_inactive.setChecked(True)
        self.show_inactive.toggled.connect(lambda _=False: self.reload())
        self.message = QLabel("", self)
        self.message.setObjectName(f"{slug}_message")
        self.message.setAccessibleName(f"{self.info.title} message")
        self.message.setWordWrap(True)

        self.fields = form_fields(self.info.model)
        self.model = SectionTableModel(self.info.model, self.info.inactive_status, parent=self)
        self.view = QTableView(self)
        self.view.setObjectName(f"{slug}_table")
        self.view.setAccessibleName(f"{self.info.title} list")
        self.view.setModel(self.model)
        self.layout_columns()
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        self.view.horizontalHeader().setDefaultSectionSize(130)
        self.view.doubleClicked.connect(lambda _i: self.edit_selected())
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        QShortcut(QKeySequence(Qt.Key.Key_Return), self.view, self.edit_selected,
                  context=Qt.ShortcutContext.WidgetShortcut)
        self.detail = QTextBrowser(self)
        self.detail.setObjectName(f"{slug}_detail")
        self.detail.setAccessibleName(f"{self.info.title} entry detail")
        self.detail.setMaximumHeight(160)

        self.add_button.clicked.connect(self.add_entry)
        self.edit_button.clicked.connect(self.edit_selected)
        self.inactive_button.clicked.connect(self.mark_selected_inactive)
        self.history_button.clicked.connect(self.show_history)

        self.actions_row = QHBoxLayout()
        for w in (self.add_button, self.edit_button, self.inactive_button, self.history_button):
            self.actions_row.addWidget(w)
        self.actions_row.addStretch(1)
        self.actions_row.addWidget(self.show_inactive)
        layout = QVBoxLayout(self)
        title = QLabel(f"<b>{self.info.title}</b>", self)
        title.setObjectName(f"{slug}_title")
        title.setAccessibleName(self.info.title)
        layout.addWidget(title)
        layout.addLayout(self.actions_row)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.message)
        if self.read_only:
            self.message.setText("Read-only: " + str(ctx.session.read_only_reason
                                                    or "the data folder is open in another window."))
        self._selection_changed()

    def layout_columns(self) -> None:
        """Long text (a note, symptoms) takes the spare width; otherwise the last column does."""
        header = self.view.horizontalHeader()
        wide = [i for i, c in enumerate(self.model.columns) if c.kind == "multiline"][:1]
        header.setStretchLastSection(not wide)
        for i in range(len(self.model.columns)):
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.Stretch if i in wide
                                        else QHeaderView.ResizeMode.Interactive)

    # ---- data ----------------------------------------------------------------------------
    def load_rows(self) -> list[Any]:
        if not self.patient_id:
            return []
        return self.ctx.services.record.entries(self.section, self.patient_id,
                                                include_inactive=self.show_inactive.isChecked())

    def refresh(self) -> None:
        selected = self.selected()
        self.model.set_rows(self.load_rows())
        self.add_button.setEnabled(bool(self.patient_id) and not self.read_only)
        if selected is not None:
            for r, row in enumerate(self.model.rows):
                if row.id == selected.id:
                    self.view.selectRow(r)
                    break
        self._selection_changed()

    def selected(self) -> Any | None:
        rows = self.view.selectionModel().selectedRows() if self.view.selectionModel() else []
        return self.model.row_at(rows[0].row()) if rows else None

    def select_id(self, record_id: str) -> bool:
        for r, row in enumerate(self.model.rows):
            if row.id == record_id:
                self.view.selectRow(r)
                return True
        return False

    @property
    def read_only(self) -> bool:
        """Another window holds the data folder: writing would only fail, so offer nothing to write."""
        return self.ctx.session.read_only

    def _selection_changed(self) -> None:
        row = self.selected()
        self.history_button.setEnabled(row is not None)
        self.edit_button.setEnabled(row is not None and not self.read_only)
        self.inactive_button.setEnabled(row is not None and not self.read_only
                                        and str(row.status) != self.info.inactive_status)
        self.detail.setHtml(self.detail_html(row) if row is not None else "")

    def detail_html(self, row: Any) -> str:
        """Every field with a value, full text (the list cuts long text to its first line)."""
        lines = []
        for field in self.fields:
            value = getattr(row, field.name)
            if value in (None, "") or (field.kind == "bool" and not value):
                continue
            text = str(getattr(value, "value", value)) if field.kind == "multiline" else display_value(value)
            lines.append(f"<b>{escape(field.title)}:</b> " + escape(text).replace("\n", "<br>"))
        return "<br>".join(lines)

    # ---- actions -------------------------------------------------------------------------
    def new_entry_defaults(self) -> dict[str, Any]:
        return {}

    def add_entry(self, prefill: dict[str, Any] | None = None) -> RecordEntryDialog | None:
        if not self.patient_id:
            return None
        initial = {**self.new_entry_defaults(), **(prefill or {})}
        dialog = RecordEntryDialog(self.info.model, f"Add {self.info.title.lower()} entry", self.patient_id,
                                   initial, self)
        dialog.accepted.connect(lambda: self._save_new(dialog))
        return self._open(dialog)

    def edit_selected(self) -> RecordEntryDialog | None:
        row = self.selected()
        if row is None:
            return None
        dialog = RecordEntryDialog(self.info.model, f"Edit {self.info.title.lower()} entry", row.patient_id,
                                   row.model_dump(), self)
        dialog.accepted.connect(lambda: self._save_changes(row.id, dialog))
        return self._open(dialog)

    def _open(self, dialog: RecordEntryDialog) -> RecordEntryDialog:
        self.dialog = dialog
        dialog.setModal(True)
        dialog.open()
        return dialog

    def _save_new(self, dialog: RecordEntryDialog) -> None:
        entry = dialog.entry()
        self.ctx.run(self.ctx.services.record.add, self.section, entry, on_done=self._saved, on_error=self._failed, what=f"saving {self.info.title.lower()} entry")

    def _save_changes(self, record_id: str, dialog: RecordEntryDialog) -> None:
        changes = dialog.changes()
        if not changes:
            self.message.setText("No changes to save.")
            return
        self.ctx.run(self.ctx.services.record.amend, self.section, record_id, changes, on_done=self._saved, on_error=self._failed, what=f"saving {self.info.title.lower()} entry")

    def mark_selected_inactive(self) -> None:
        row = self.selected()
        if row is None:
            return
        self.ctx.run(self.ctx.services.record.mark_inactive, self.section, row.id, on_done=self._saved, on_error=self._failed, what=f"retiring {self.info.title.lower()} entry")

    def _saved(self, saved: Any) -> None:
        self.message.setText(f"Saved {saved.id}.")
        self.reload()
        self.select_id(saved.id)

    def _failed(self, error: BaseException) -> bool:
        """Shown beside the list (and in the status bar by ctx.run); True: no extra message box."""
        self.message.setText(f"Not saved: {error}")
        return True

    def history_versions(self, row: Any) -> list[Any]:
        return self.ctx.services.record.history(self.section, row.id)

    def show_history(self) -> None:
        row = self.selected()
        if row is None:
            return None
        # history reads the journal files (seconds on a large folder): off the GUI thread, on the
        # writer, so it is ordered after any save still queued
        self.message.setText(f"Reading the history of {row.id}…")
        self.ctx.run(self.history_versions, row, on_done=lambda versions: self._open_history(row, versions),
                     on_error=self._failed, what="reading history")
        return None

    def _open_history(self, row: Any, versions: list[Any]) -> HistoryDialog:
        self.message.setText("")
        self.history_dialog = HistoryDialog(self.info.model, f"History of {row.id}", versions, self)
        self.history_dialog.open()
        return self.history_dialog
