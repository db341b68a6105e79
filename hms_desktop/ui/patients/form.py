"""PatientFormDialog: register a new patient or edit one, keyboard first.

Messages appear beside each field as the user types (the same domain rules the service
applies); Save is refused with the first bad field focused, so nothing is half-saved.
While name, date of birth and phone are typed, likely existing records are listed: the user
opens one instead, or ticks "new patient", and that confirmation is saved with the record.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.domain.duplicates import DuplicateMatch, Identity
from hms_desktop.domain.patient import (
    BloodGroup,
    FormContext,
    Patient,
    Sex,
    age_text,
    check_field,
    parse_birth_date,
    parse_patient_form,
    parse_phone,
    patient_form_values,
)
from hms_desktop.services.patients import PossibleDuplicateError
from hms_desktop.ui.common.mnemonics import with_mnemonic
from hms_desktop.ui.context import describe_failure
from hms_desktop.ui.patients import common
from hms_desktop.ui.patients.common import name_widget, phone_region

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext

#: field -> label, in form (and Tab) order
LABELS: dict[str, str] = {
    "given_name": "Given name", "family_name": "Family name", "date_of_birth": "Date of birth",
    "sex": "Sex / gender", "phone": "Phone", "email": "Email", "address": "Address",
    "blood_group": "Blood group", "emergency_name": "Emergency contact name",
    "emergency_relation": "Emergency contact relation", "emergency_phone": "Emergency contact phone",
    "medical_history": "Medical history summary", "other_identifier": "Other identifier",
}
DUPLICATE_FIELDS = ("given_name", "family_name", "date_of_birth", "phone")
REQUIRED = frozenset({"given_name", "family_name", "date_of_birth"})
#: Alt keys of the form's own buttons (&Open selected record, &new patient, &Save, &Cancel)
RESERVED_KEYS = frozenset({"o", "n", "s", "c"})
DEBOUNCE_MS = 150
MIN_WIDTH = 640


class PatientFormDialog(QDialog):
    """Registration (``patient=None``) or edit of one patient's demographics."""

    sig_patient_saved = Signal(str)
    """A patient was registered or edited; carries its ID."""
    sig_existing_chosen = Signal(str)
    """The user chose an existing record from the duplicate list instead of registering."""

    def __init__(self, ctx: AppContext, patient: Patient | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.service = ctx.services.patients
        self.patient = patient
        # The version this form shows: saving is refused if someone saves a newer one meanwhile.
        self.opened_version = self.service.table.meta(patient.id).version if patient else None
        self.setWindowTitle("Edit patient" if patient else "New patient")
        name_widget(self, "patient_form", "Edit patient form" if patient else "New patient form")
        self.setMinimumWidth(MIN_WIDTH)  # room for a field and its message side by side
        self.inputs: dict[str, QLineEdit | QComboBox | QPlainTextEdit] = {}
        self.messages: dict[str, QLabel] = {}
        self.matches: list[DuplicateMatch] = []
        self._saving = False
        self._dup_timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._dup_timer.timeout.connect(self.check_duplicates)
        self._build()
        if patient is not None:
            self._fill(patient_form_values(patient))
        self._dirty = False

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # narrow screens: label above
        used = set(RESERVED_KEYS)
        for field, label in LABELS.items():
            widget = self._input(field)
            name_widget(widget, f"{field}_input", label)
            message = QLabel("")
            name_widget(message, f"{field}_message", f"{label} message")
            message.setStyleSheet("color: #b00020")
            message.setWordWrap(True)  # under the field, so the field's width never jumps
            message.hide()
            row = QHBoxLayout()
            row.addWidget(widget, 1)
            if field == "date_of_birth":
                self.age_label = name_widget(QLabel(""), "age_label", "Age")
                row.addWidget(self.age_label)
            column = QVBoxLayout()
            column.setSpacing(0)
            column.addLayout(row)
            column.addWidget(message)
            # A row of several widgets has no automatic buddy, so a "&" would be shown literally
            # and the label would not be tied to its field: give every label its buddy.
            caption_text = with_mnemonic(label, used) + (" *" if field in REQUIRED else "")
            caption = name_widget(QLabel(caption_text), f"{field}_label", f"{label} label")
            caption.setBuddy(widget)
            if field in REQUIRED:
                widget.setAccessibleDescription("required")
            form.addRow(caption, column)
            self.inputs[field] = widget
            self.messages[field] = message
        fields = QWidget()
        fields.setObjectName("patient_form_fields")
        fields.setLayout(form)
        self.scroll_area = name_widget(QScrollArea(), "patient_form_scroll", "Patient details")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(fields)
        self.required_note = name_widget(QLabel("* required"), "required_note", "Required fields note")
        self.dup_box = QWidget()
        dup_layout = QVBoxLayout(self.dup_box)
        self.dup_title = name_widget(QLabel("Possible existing records:"), "duplicates_title",
                                     "Possible duplicates title")
        self.dup_list = name_widget(QListWidget(), "duplicates_list", "Possible duplicates")
        self.dup_list.setWordWrap(True)  # the reasons are the point: show them whole, not scrolled off
        self.dup_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.dup_list.itemActivated.connect(lambda item: self._open_existing(item))
        self.open_button = name_widget(QPushButton("&Open selected record"), "open_existing_button",
                                       "Open existing patient")
        self.open_button.clicked.connect(lambda: self._open_existing(self.dup_list.currentItem()))
        self.confirm_new = name_widget(QCheckBox("This is a &new patient, not one of these"),
                                       "confirm_new_checkbox", "Confirm new patient")
        for w in (self.dup_title, self.dup_list, self.open_button, self.confirm_new):
            dup_layout.addWidget(w)
        self.dup_box.setVisible(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = name_widget(self.buttons.button(QDialogButtonBox.StandardButton.Save),
                                       "save_button", "Save patient")
        cancel = name_widget(self.buttons.button(QDialogButtonBox.StandardButton.Cancel), "cancel_button", "Cancel")
        # Enter saves from any line edit (connected there); no button may steal Enter as "default".
        for button in (self.save_button, cancel):
            button.setAutoDefault(False)
            button.setDefault(False)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.status_label = name_widget(QLabel(""), "form_status", "Form status")
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.required_note)
        layout.addWidget(self.dup_box)
        layout.addWidget(self.status_label)
        layout.addWidget(self.buttons)
        # Enter saves from line edits; these save from anywhere (combo boxes, the history box).
        for keys in (QKeySequence.StandardKey.Save, QKeySequence("Ctrl+Return")):
            QShortcut(keys, self, self.save)

    def _input(self, field: str) -> QLineEdit | QComboBox | QPlainTextEdit:
        if field in ("sex", "blood_group"):
            combo = QComboBox()
            for member in (Sex if field == "sex" else BloodGroup):
                combo.addItem(member.value.capitalize() if field == "sex" else member.value, member.value)
            combo.setCurrentIndex(combo.count() - 1)  # "unknown" until chosen
            combo.currentIndexChanged.connect(lambda _=0, f=field: self._changed(f))
            return combo
        if field == "medical_history":
            text = QPlainTextEdit()
            text.setTabChangesFocus(True)  # Tab order follows the form
            text.setFixedHeight(60)
            text.textChanged.connect(lambda f=field: self._changed(f))
            return text
        line = QLineEdit()
        if field == "date_of_birth":
            line.setPlaceholderText("DD/MM/YYYY or YYYY-MM-DD")
        if field.endswith("phone"):
            line.setPlaceholderText(f"+country code, or a {phone_region(self.ctx)} number")
        line.textChanged.connect(lambda _="", f=field: self._changed(f))
        line.returnPressed.connect(self.save)  # Enter saves
        return line

    # ------------------------------------------------------------------ values
    def value(self, field: str) -> str:
        widget = self.inputs[field]
        if isinstance(widget, QComboBox):
            return str(widget.currentData())
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText()
        return widget.text()

    def values(self) -> dict[str, str]:
        return {field: self.value(field) for field in LABELS}

    def _fill(self, values: dict[str, str]) -> None:
        for field, text in values.items():
            widget = self.inputs[field]
            if isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(0, widget.findData(text)))
            elif isinstance(widget, QPlainTextEdit):
                widget.setPlainText(text)
            else:
                widget.setText(text)

    def _form_context(self) -> FormContext:
        return FormContext(today=date.today(), phone_region=phone_region(self.ctx))

    def _set_message(self, field: str, text: str) -> None:
        """The message under one field names it, so it reads alone (and to a screen reader)."""
        label = self.messages[field]
        label.setText(f"{LABELS[field]} {text}" if text else "")
        label.setVisible(bool(text))

    def _changed(self, field: str) -> None:
        self._dirty = True
        self._set_message(field, check_field(field, self.value(field), self._form_context()) or "")
        if self.status_label.text().startswith("Not saved"):
            self._refresh_status()
        if field == "date_of_birth":
            try:
                born = parse_birth_date(self.value(field), date.today())
                self.age_label.setText(f"age {age_text(born, date.today())}")
            except ValueError:
                self.age_label.setText("")
        if field in DUPLICATE_FIELDS:
            self._dup_timer.start()

    # ------------------------------------------------------------------ duplicates
    def _probe(self) -> Identity:
        """What has been typed so far; unparsable date or phone simply count as not yet typed."""
        ctx = self._form_context()
        try:
            born: date | None = parse_birth_date(self.value("date_of_birth"), ctx.today)
        except ValueError:
            born = None
        try:
            phone = parse_phone(self.value("phone"), ctx.phone_region)
        except ValueError:
            phone = ""
        return Identity(self.value("given_name"), self.value("family_name"), born, phone,
                        id=self.patient.id if self.patient else "")

    def check_duplicates(self) -> None:
        """Refresh the duplicate list (in memory, a few milliseconds: fine on the GUI thread)."""
        probe = self._probe()
        if not (probe.given.strip() and probe.family.strip()) and probe.dob is None:
            matches: list[DuplicateMatch] = []
        else:
            matches = self.service.duplicates(probe)
        self.show_matches(matches)

    def show_matches(self, matches: list[DuplicateMatch]) -> None:
        if [m.id for m in matches] != [m.id for m in self.matches]:
            self.confirm_new.setChecked(False)  # a new list needs a new confirmation
        self.matches = matches
        self.dup_list.clear()
        for m in matches:
            p = self.service.get(m.id)
            born = p.date_of_birth.isoformat() if p else ""
            item = QListWidgetItem(f"{m.id}  {self.service.display_name(m.id)}  {born}  "
                                   f"({m.score:.0%}: {', '.join(m.reasons)})")
            item.setData(Qt.ItemDataRole.UserRole, m.id)
            item.setToolTip(item.text())
            self.dup_list.addItem(item)
        if matches:
            self.dup_list.setCurrentRow(0)
        self.dup_box.setVisible(bool(matches))

    def _open_existing(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        self.sig_existing_chosen.emit(item.data(Qt.ItemDataRole.UserRole))
        self._dirty = False
        self.reject()

    # ------------------------------------------------------------------ saving
    def save(self) -> None:
        if self._saving:
            return
        patient, errors = parse_patient_form(self.values(), self._form_context(), base=self.patient)
        for field in self.messages:
            self._set_message(field, errors.get(field, ""))
        if patient is None:
            first = next(iter(errors))
            self.inputs[first].setFocus()
            self.scroll_area.ensureWidgetVisible(self.inputs[first])
            self.status_label.setText(f"Not saved: {LABELS[first]} {errors[first]}")
            return
        call: Callable[..., Patient]
        args: tuple[Any, ...]  # register(patient) or update(id, patient)
        if self.patient is None:
            self._dup_timer.stop()
            self.check_duplicates()
            if self.matches and not self.confirm_new.isChecked():
                self.status_label.setText("Not saved: open an existing record or confirm a new patient")
                self.dup_list.setFocus()
                return
            patient = patient.model_copy(update={"confirmed_not_duplicate_of": [m.id for m in self.matches]})
            call, args = self.service.register, (patient,)
        else:
            call, args = self.service.update, (self.patient.id, patient)
        self._saving = True
        self.save_button.setEnabled(False)
        self.status_label.setText("Saving…")
        checked = {} if self.patient is None else {"expected_version": self.opened_version}
        self.ctx.run(call, *args, on_done=self._saved, on_error=self._failed,
                     what=f"patient {patient.full_name}", **checked)

    def _refresh_status(self) -> None:
        """A "Not saved: …" line about a field since fixed must not stay (it did): say what is
        still wrong, or nothing."""
        _patient, errors = parse_patient_form(self.values(), self._form_context(), base=self.patient)
        if errors:
            first = next(iter(errors))
            self.status_label.setText(f"Not saved: {LABELS[first]} {errors[first]}")
        elif not (self.matches and not self.confirm_new.isChecked()):
            self.status_label.setText("")

    def _saved(self, patient: Patient) -> None:
        self._saving = False
        self._dirty = False
        self.status_label.setText(f"Saved {patient.id}")
        self.sig_patient_saved.emit(patient.id)
        self.accept()

    def _failed(self, error: BaseException) -> bool:
        """Shown in the form itself; True tells ctx.run not to open a message box as well."""
        self._saving = False
        self.save_button.setEnabled(True)
        if isinstance(error, PossibleDuplicateError):
            self.show_matches(error.matches)
            self.status_label.setText("Not saved: open an existing record or confirm a new patient")
            return True
        self.status_label.setText(f"Not saved: {describe_failure(error)}")
        return True

    def reject(self) -> None:
        """Esc / Cancel: ask before throwing typed work away."""
        if self._dirty and not self._saving and not common.confirm(
                self, "Discard changes?", "Discard the changes to this patient?"):
            return
        super().reject()
