"""PatientsTab: search box, patient list and the actions on the selected patient.

Opening a row (Enter or double-click) makes it the app's current patient, which the
Record, Schedule and Monitor tabs follow. With the search box empty, recently opened
patients are listed first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.domain.accounts import Permission
from hms_desktop.services import topics
from hms_desktop.ui.common.elided_label import ElidedLabel
from hms_desktop.ui.patients.common import name_inner_buttons, name_widget, phone_region
from hms_desktop.ui.patients.form import PatientFormDialog
from hms_desktop.ui.patients.history import PatientHistoryDialog
from hms_desktop.ui.patients.merge import PatientMergeDialog
from hms_desktop.ui.patients.status import PatientStatusDialog
from hms_desktop.ui.patients.table_model import PatientTableModel

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext

SEARCH_DEBOUNCE_MS = 100
RECENT_ON_TOP = 10


def count_text(shown: int, text: str, hidden_matches: int = 0) -> str:
    """The line under the list: a count, or what to do when nothing is listed (an empty
    table alone leaves a receptionist wondering whether the search is still running)."""
    if shown:
        return f"{shown:,} patient(s)"
    if not text.strip():
        return "No patients yet: Ctrl+N registers the first one"
    if hidden_matches:
        return (f"No active patient matches “{text.strip()}”; {hidden_matches:,} inactive, deceased "
                "or merged do: tick “Show inactive…” (Alt+I)")
    return f"No patient matches “{text.strip()}”: check the spelling, or Ctrl+N to register"


_LIST_TOPICS = frozenset({topics.PATIENTS, topics.RECENT_PATIENTS})


class PatientsTab(QWidget):
    sig_list_refreshed = Signal(int)
    """The list was searched and redrawn: the number of patients it shows."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._select_after_refresh = ""  # a patient just saved: selected once the bus refreshes the list
        self.service = ctx.services.patients
        # The service checks numbers typed without +country code against the clinic's region.
        self.service.phone_region = phone_region(ctx)
        ctx.sig_settings_changed.connect(self._settings_changed)
        self.model: PatientTableModel | None = None
        self.dialog: QDialog | None = None  # the one dialog this tab has open (form, history, status, merge)
        name_widget(self, "patients_tab", "Patients tab")
        self.search = name_widget(QLineEdit(), "patient_search", "Search patients")
        self.search.setPlaceholderText("Search: name (any order), ID, phone (3+ digits) or date of birth")
        self.search.setClearButtonEnabled(True)
        self.show_hidden = name_widget(QCheckBox("Show &inactive, deceased and merged"),
                                       "show_hidden_checkbox", "Show inactive patients")
        self.table = name_widget(QTableView(), "patient_table", "Patient list")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        self.count = name_widget(QLabel("Loading patients…"), "patient_count", "Patient count")
        self.buttons: dict[str, QPushButton] = {}
        actions = (("new", "&New patient", "New patient", self.new_patient),
                   ("edit", "&Edit", "Edit patient", self.edit_patient),
                   ("history", "Histor&y", "Patient history", self.show_history),
                   ("status", "S&tatus…", "Patient status", self.change_status),
                   ("merge", "&Merge…", "Merge patients", self.merge_patient),
                   ("open", "&Open", "Open patient", self.open_selected))
        bar = QHBoxLayout()
        for key, text, accessible, slot in actions:
            button = name_widget(QPushButton(text), f"{key}_patient_button", accessible)
            button.clicked.connect(slot)
            bar.addWidget(button)
            self.buttons[key] = button
        guard = ctx.write_guard  # read-only window, and what the role may do (docs/security.md)
        guard.register(*(self.buttons[k] for k in ("new", "edit", "status")), needs=Permission.EDIT_DEMOGRAPHICS)
        guard.register(self.buttons["merge"], needs=Permission.MERGE_PATIENTS)
        bar.addStretch(1)
        bar.addWidget(self.count)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.show_hidden)
        self.registered_id = ""
        self.registered_bar = name_widget(QWidget(), "registered_bar", "Registered patient actions")
        self.registered_label = name_widget(ElidedLabel(""), "registered_label", "Registered patient")
        open_record = name_widget(QPushButton("Open &record"), "open_registered_button", "Open record of new patient")
        book = name_widget(QPushButton("&Book appointment"), "book_registered_button",
                           "Book appointment for new patient")
        open_record.clicked.connect(self.open_registered)
        book.clicked.connect(self.book_registered)
        registered = QHBoxLayout(self.registered_bar)
        registered.setContentsMargins(0, 0, 0, 0)
        registered.addWidget(self.registered_label, 1)
        registered.addWidget(open_record)
        registered.addWidget(book)
        self.registered_bar.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.registered_bar)
        layout.addWidget(self.table, 1)
        layout.addLayout(bar)
        QShortcut(QKeySequence("Ctrl+N"), self, self.new_patient,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence("Ctrl+F"), self, self.search.setFocus,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self._timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self._focus_list)
        self.search.installEventFilter(self)  # Down goes to the results, Esc clears the box
        self.show_hidden.toggled.connect(lambda _on: self.refresh())
        self.table.activated.connect(self._activated)
        ctx.changes.sig_changed.connect(self._on_change)
        self._set_enabled(False)
        name_inner_buttons(self)
        if self.service.index_ready:
            # Built while the folder opened: usable now, not after the jobs queued on the
            # writer (the tables start-up deferred load there, services/session.py).
            self._index_ready(self.service.index)
        else:
            # Building the index reads every row: on the writer, never on the GUI thread.
            ctx.run(lambda: self.service.index, on_done=self._index_ready, what="loading patients")

    # ------------------------------------------------------------------ list

    def _settings_changed(self, _settings: object) -> None:
        self.service.phone_region = phone_region(self.ctx)
    def _index_ready(self, index: Any) -> None:
        self.model = PatientTableModel(index)
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        header = self.table.horizontalHeader()
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setDefaultSectionSize(max(header.defaultSectionSize(), self.fontMetrics().horizontalAdvance("+44 7700 900123") + 24))
        header.setStretchLastSection(True)
        self.table.setWordWrap(False)  # one line per patient: phones must not wrap
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._set_enabled(True))
        self._set_enabled(True)
        self.refresh()

    def refresh(self) -> None:
        """Re-run the search (keystrokes are debounced; changes from the writer land here too)."""
        self._timer.stop()
        if self.model is None:
            return
        text = self.search.text()
        hidden = self.show_hidden.isChecked()
        rows = self.service.index.search(text, include_hidden=hidden)
        sorted_by_user = self.table.horizontalHeader().sortIndicatorSection() >= 0
        if not text.strip() and not sorted_by_user:
            recent = [self.service.index.row_of(pid) for pid in self.service.recent(RECENT_ON_TOP)]
            top = np.array([r for r in recent if r is not None and (hidden or not self.service.index.is_hidden(r))],
                           dtype=np.int64)
            rows = np.concatenate([top, rows[~np.isin(rows, top)]])
        pending, self._select_after_refresh = self._select_after_refresh, ""
        current = pending or self.selected_id()
        self.model.set_rows(rows, keep_order=not sorted_by_user)
        hidden_matches = 0
        if not len(rows) and text.strip() and not hidden:  # only then pay for a second search
            hidden_matches = len(self.service.index.search(text, include_hidden=True))
        self.count.setText(count_text(len(rows), text, hidden_matches))
        row = self.model.row_of(current) if current else None
        self.table.selectRow(row if row is not None else 0)
        self._set_enabled(True)
        self.sig_list_refreshed.emit(len(rows))
        if pending and row is None:  # the search hides the patient just saved: show them anyway
            self.select_id(pending)

    def _on_change(self, change: Any) -> None:
        """The bus alone refreshes the list: a save's change event arrives before the save's
        own completion, and bursts (an import, a save then "recently opened") are coalesced."""
        if change.table in _LIST_TOPICS and self.model is not None:
            self._timer.start()

    def _select_when_listed(self, patient_id: str) -> None:
        """Select a patient this tab has just saved: now if the list already has them, else
        right after the refresh their change event has already scheduled."""
        if self._timer.isActive():
            self._select_after_refresh = patient_id
        else:
            self.select_id(patient_id)

    def selected_id(self) -> str:
        if self.model is None:
            return ""
        index = self.table.currentIndex()
        return self.model.patient_id(index.row()) if index.isValid() else ""

    def select_id(self, patient_id: str) -> bool:
        """Show and select one patient (clearing a search that hides it)."""
        if self.model is None:
            return False
        row = self.model.row_of(patient_id)
        if row is None:
            self.search.setText(patient_id)
            self.refresh()
            row = self.model.row_of(patient_id)
        if row is None:
            return False
        self.table.selectRow(row)
        return True

    def _set_enabled(self, ready: bool) -> None:
        has = ready and bool(self.selected_id())
        for key in ("edit", "history", "status", "merge", "open"):
            self.buttons[key].setEnabled(has)
        self.buttons["new"].setEnabled(ready)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        """In the search box, Down arrow moves into the results (as in any search field) and Esc
        clears the search; both used to do nothing, leaving Tab-Tab or the mouse."""
        if watched is self.search and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() == Qt.Key.Key_Down:
                self._focus_list()
                return True
            if event.key() == Qt.Key.Key_Escape and self.search.text():
                self.search.clear()
                return True
        return super().eventFilter(watched, event)

    def _focus_list(self) -> None:
        self.refresh()
        self.table.setFocus()

    # ------------------------------------------------------------------ actions
    def _activated(self, index: QModelIndex) -> None:
        if self.model is not None and index.isValid():
            self.open_patient(self.model.patient_id(index.row()))

    def open_selected(self) -> None:
        if pid := self.selected_id():
            self.open_patient(pid)

    def open_patient(self, patient_id: str) -> None:
        """Make this the app's current patient, show its record, and remember it as recently opened."""
        self.ctx.navigation.open_patient(patient_id)
        self.ctx.run(self.service.note_opened, patient_id, what="remembering patient")

    def new_patient(self) -> None:
        dialog = PatientFormDialog(self.ctx, parent=self)
        dialog.sig_patient_saved.connect(self._after_register)
        dialog.sig_existing_chosen.connect(self._after_save)  # "Open selected record" was asked for
        dialog.open()
        self.dialog = dialog

    def _after_register(self, patient_id: str) -> None:
        """A receptionist registers, then books: stay on the list with the new patient selected
        and offer both next steps (it used to jump into the clinical Record tab)."""
        self._select_when_listed(patient_id)
        self.table.setFocus()
        self.registered_id = patient_id
        name = self.service.display_name(patient_id) if hasattr(self.service, "display_name") else ""
        self.registered_label.setText(f"Registered {patient_id} {name}".strip() + ".")
        self.registered_label.setToolTip(self.registered_label.text())
        self.registered_bar.show()

    def open_registered(self) -> None:
        if self.registered_id:
            self.registered_bar.hide()
            self.open_patient(self.registered_id)

    def book_registered(self) -> None:
        if self.registered_id:
            self.registered_bar.hide()
            self.ctx.navigation.request_booking(patient_id=self.registered_id)

    def edit_patient(self) -> None:
        patient = self.service.get(self.selected_id()) if self.selected_id() else None
        if patient is None:
            return
        dialog = PatientFormDialog(self.ctx, patient, parent=self)
        dialog.sig_patient_saved.connect(self._after_save)
        dialog.open()
        self.dialog = dialog

    def _after_save(self, patient_id: str) -> None:
        self._select_when_listed(patient_id)
        self.open_patient(patient_id)
        self.table.setFocus()

    def show_history(self) -> None:
        if pid := self.selected_id():
            self.dialog = PatientHistoryDialog(self.ctx, pid, parent=self)
            self.dialog.open()

    def change_status(self) -> None:
        if pid := self.selected_id():
            self.dialog = PatientStatusDialog(self.ctx, pid, parent=self)
            self.dialog.open()

    def merge_patient(self) -> None:
        if pid := self.selected_id():
            dialog = PatientMergeDialog(self.ctx, pid, parent=self)
            dialog.sig_patients_merged.connect(self._select_when_listed)
            dialog.open()
            self.dialog = dialog
