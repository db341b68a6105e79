"""PatientPicker: a search box with a drop-down of matching patients, for any tab.

Used wherever a patient must be chosen (booking an appointment, assigning a bed, choosing a
record to merge). Type a name, ID, phone digits or date of birth; pick with the arrow keys
and Enter (or the mouse); ``sig_patient_chosen`` carries the ID.

    picker = PatientPicker(ctx)
    picker.sig_patient_chosen.connect(lambda patient_id: ...)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import QAbstractItemView, QCompleter, QHBoxLayout, QLineEdit, QWidget

from hms_desktop.ui.patients.common import name_inner_buttons, name_widget

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext

DEBOUNCE_MS = 120
LIMIT = 20


class PatientPicker(QWidget):
    sig_patient_chosen = Signal(str)
    """The user chose a patient; carries the patient ID."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, include_hidden: bool = False,
                 accessible_name: str = "Patient picker") -> None:
        super().__init__(parent)
        name_widget(self, "patient_picker", accessible_name)
        self.service = ctx.services.patients
        self.include_hidden = include_hidden
        self.exclude: set[str] = set()  # IDs never offered (e.g. the record being merged into)
        self.chosen_id = ""
        self.edit = name_widget(QLineEdit(), "patient_picker_search", f"{accessible_name} search")
        self.edit.setPlaceholderText("Name, ID, phone or date of birth…")
        self.edit.setClearButtonEnabled(True)
        self._ids: list[str] = []
        self._model = QStringListModel(self)
        self.completer = QCompleter(self._model, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setMaxVisibleItems(12)
        # PySide6's stubs do not type overloaded signals as indexable; the QModelIndex overload
        # is the one that carries the row.
        self.completer.activated[QModelIndex].connect(self._activated)  # type: ignore[index]
        name_widget(self._popup(), "patient_picker_results", f"{accessible_name} results")
        self.edit.setCompleter(self.completer)
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self.refresh)
        self.edit.textEdited.connect(lambda _text: self._timer.start())
        self.edit.returnPressed.connect(self._enter)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        self.setFocusProxy(self.edit)
        name_inner_buttons(self)
        if not self.service.index_ready:
            # The first search would build the index (seconds at 100,000 patients): do it on
            # the writer, and search once it is there.
            ctx.run(lambda: self.service.index, on_done=lambda _index: self._index_built(),
                    what="loading patients")

    def _index_built(self) -> None:
        if self.edit.text():
            self.refresh()

    def label(self, patient_id: str) -> str:
        p = self.service.get(patient_id)
        born = p.date_of_birth.isoformat() if p else ""
        return f"{self.service.display_name(patient_id)} · {born} · {patient_id}"

    def refresh(self) -> None:
        """Search now (the debounce timer calls this) and show the drop-down."""
        if not self.service.index_ready:
            return  # _index_built searches when the index is there
        text = self.edit.text()
        ids = [i for i in self.service.search(text, LIMIT + len(self.exclude),
                                              include_hidden=self.include_hidden)
               if i not in self.exclude][:LIMIT]
        self._ids = ids
        self._model.setStringList([self.label(i) for i in ids])
        if ids and self.edit.hasFocus():
            self.completer.complete()

    def results(self) -> list[str]:
        """The IDs offered right now, in order."""
        return list(self._ids)

    def _popup(self) -> QAbstractItemView:
        popup = self.completer.popup()
        assert popup is not None  # QCompleter creates its list view on construction
        return popup

    def choose(self, patient_id: str) -> None:
        self.chosen_id = patient_id
        self.edit.setText(self.label(patient_id))
        self._popup().hide()
        self.sig_patient_chosen.emit(patient_id)

    def _activated(self, index: QModelIndex) -> None:
        if 0 <= index.row() < len(self._ids):
            self.choose(self._ids[index.row()])

    def _enter(self) -> None:
        """Enter with the list closed: take the single match, if exactly one."""
        if self._timer.isActive():
            self._timer.stop()
            self.refresh()
        if len(self._ids) == 1 and not self._popup().isVisible():
            self.choose(self._ids[0])
