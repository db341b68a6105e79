"""One dialog for every record section, built from the model's fields.

The dialog validates the whole entry with the model before it closes: an invalid entry keeps
the dialog open with a message naming the field, and nothing reaches the service.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticUndefined
from PySide6.QtCore import QDate, QDateTime, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.domain.field_limits import FIELD_LIMITS, too_long_message
from hms_desktop.domain.record_fields import FormField, describe_errors, form_fields
from hms_desktop.ui.common.mnemonics import with_mnemonic
from hms_desktop.ui.common.qt_dates import py_date, py_time, qt_datetime
from hms_desktop.ui.record.clock import from_wall, to_wall
from hms_desktop.ui.record.widgets import named


class _FieldProblem(ValueError):
    """An input that cannot become a value at all (before the model sees it)."""


class _OptionalDate(QWidget):
    """A date that may be absent: a checkbox says whether it is set (never a fake 1752-09-14)."""

    def __init__(self, field: FormField, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check = QCheckBox("set", self)
        self.edit = QDateEdit(self)
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("yyyy-MM-dd")
        self.edit.setDate(QDate.currentDate())
        self.edit.setEnabled(False)
        named(self.check, f"{field.name}_set", f"{field.title} set")
        named(self.edit, field.name, field.title)
        self.check.toggled.connect(self.edit.setEnabled)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.check)
        row.addWidget(self.edit, 1)

    def value(self) -> date | None:
        return py_date(self.edit.date()) if self.check.isChecked() else None

    def set_value(self, value: date | None) -> None:
        self.check.setChecked(value is not None)
        if value is not None:
            self.edit.setDate(QDate(value.year, value.month, value.day))

class RecordEntryDialog(QDialog):
    """Add or edit one entry of ``model``; ``entry()`` is the validated model after accept."""

    def __init__(self, model: type[BaseModel], title: str, patient_id: str,
                 initial: dict[str, Any] | None = None, parent: QWidget | None = None,
                 hidden: frozenset[str] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        named(self, "record_entry_dialog", title)
        self._model = model
        self._patient_id = patient_id
        self._base = dict(initial or {})
        self._entry: BaseModel | None = None
        self._fields = form_fields(model) if hidden is None else form_fields(model, hidden)
        self._inputs: dict[str, Any] = {}

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # narrow screens: label above
        self.limit_messages: dict[str, QLabel] = {}
        used_keys: set[str] = {"s", "c"}  # &Save and &Cancel of the button box
        for field in self._fields:
            widget = self._make_input(field)
            self._inputs[field.name] = widget
            caption = with_mnemonic(field.title, used_keys) + (" *" if field.required else "")
            label = named(QLabel(caption, self), f"{field.name}_label",
                          field.title + (" (required)" if field.required else ""))
            label.setBuddy(widget if not isinstance(widget, _OptionalDate) else widget.check)
            most = FIELD_LIMITS.get(f"{model.__name__}.{field.name}")
            if most is not None and isinstance(widget, (QLineEdit, QPlainTextEdit)):
                form.addRow(label, self._with_limit_message(field, widget, most))
            else:
                form.addRow(label, widget)
            if field.name in self._base:
                self._set(field, self._base[field.name])
            else:
                default = model.model_fields[field.name].get_default(call_default_factory=True)
                if default not in (None, PydanticUndefined):
                    self._set(field, default)  # a new entry starts from the model's defaults

        self.error_label = QLabel("", self)
        named(self.error_label, "form_error", "Form error")
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        named(self.buttons.button(QDialogButtonBox.StandardButton.Save), "save_button", "Save")
        named(self.buttons.button(QDialogButtonBox.StandardButton.Cancel), "cancel_button", "Cancel")
        named(self.buttons, "dialog_buttons", "Dialog buttons")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self._layout = layout

    def add_hint(self, widget: QWidget) -> None:
        """A line a section adds under the fields (e.g. the drug-allergy check as typed)."""
        self._layout.insertWidget(1, widget)
        widget.show()  # added after the dialog opened: a new child starts hidden

    # ---- inputs --------------------------------------------------------------------------
    def _with_limit_message(self, field: FormField, widget: QLineEdit | QPlainTextEdit, most: int) -> QWidget:
        """The input with a line under it that names the field as soon as the text is too long
        (never silently cut: a pasted note must not lose its end)."""
        box = QWidget(self)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        message = named(QLabel("", box), f"{field.name}_limit_message", f"{field.title} length message")
        message.setStyleSheet("color: #b00020;")
        message.setWordWrap(True)
        message.hide()
        column.addWidget(widget)
        column.addWidget(message)
        self.limit_messages[field.name] = message

        def update() -> None:
            text = widget.toPlainText() if isinstance(widget, QPlainTextEdit) else widget.text()
            problem = too_long_message(field.title, text, most)
            message.setText(problem or "")
            message.setVisible(problem is not None)

        widget.textChanged.connect(update)
        return box

    def _make_input(self, field: FormField) -> QWidget:
        widget: QWidget
        if field.kind == "choice":
            combo = QComboBox(self)
            combo.addItems(list(field.choices))
            if field.required:
                combo.setPlaceholderText("Choose…")  # a clinical choice is made, never pre-filled
                combo.setCurrentIndex(-1)
            widget = combo
        elif field.kind == "bool":
            widget = QCheckBox(self)
        elif field.kind == "date" and field.optional:
            return _OptionalDate(field, self)
        elif field.kind == "date":
            edit = QDateEdit(QDate.currentDate(), self)
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            widget = edit
        elif field.kind == "datetime":
            dt = QDateTimeEdit(QDateTime.currentDateTime(), self)
            dt.setCalendarPopup(True)
            dt.setDisplayFormat("yyyy-MM-dd HH:mm")
            widget = dt
        elif field.kind == "multiline":
            text = QPlainTextEdit(self)
            text.setTabChangesFocus(True)  # keyboard users can leave the box with Tab
            text.setFixedHeight(80)
            widget = text
        else:
            widget = QLineEdit(self)
        return named(widget, field.name, field.title)

    def _set(self, field: FormField, value: Any) -> None:
        widget = self._inputs[field.name]
        if isinstance(widget, _OptionalDate):
            widget.set_value(value)
        elif isinstance(widget, QComboBox):
            widget.setCurrentIndex(widget.findText(str(getattr(value, "value", value))))
        elif isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QDateTimeEdit) and field.kind == "datetime" and isinstance(value, datetime):
            widget.setDateTime(qt_datetime(to_wall(value)))  # shown in the clinic's time zone
        elif isinstance(widget, QDateEdit) and isinstance(value, date):
            widget.setDate(QDate(value.year, value.month, value.day))
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText("" if value is None else str(value))
        elif isinstance(widget, QLineEdit):
            widget.setText("" if value is None else (f"{value:g}" if isinstance(value, float) else str(value)))

    def _get(self, field: FormField) -> Any:
        widget = self._inputs[field.name]
        if isinstance(widget, _OptionalDate):
            return widget.value()
        if isinstance(widget, QComboBox):
            return widget.currentText()
        if isinstance(widget, QCheckBox):
            return widget.isChecked()
        if isinstance(widget, QDateTimeEdit) and field.kind == "datetime":
            qdt = widget.dateTime()
            wall = datetime.combine(py_date(qdt.date()), py_time(qdt.time()))
            base = self._base.get(field.name)
            if isinstance(base, datetime) and to_wall(base).replace(second=0, microsecond=0) == wall:
                return base  # the editor shows minutes: an untouched time keeps its seconds
            try:
                return from_wall(wall)
            except ValueError as exc:  # the hour skipped when clocks go forward
                raise _FieldProblem(f"{field.title}: {exc}") from exc
        if isinstance(widget, QDateEdit):
            return py_date(widget.date())
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText()
        text = widget.text().strip()
        if field.kind == "number":
            return text.replace(",", ".") if text else None  # pydantic reports "must be a number"
        return text

    def set_value(self, name: str, value: Any) -> None:
        """Fill one input (prefill from navigation, tests)."""
        field = next(f for f in self._fields if f.name == name)
        self._set(field, value)

    def input(self, name: str) -> QWidget:
        widget = self._inputs[name]
        return widget.edit if isinstance(widget, _OptionalDate) else widget

    # ---- result --------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        data = {**self._base, "patient_id": self._patient_id}
        data.update({f.name: self._get(f) for f in self._fields})
        return data

    def changes(self) -> dict[str, Any]:
        """Only the fields the user changed (for ``RecordService.amend``)."""
        assert self._entry is not None
        new = self._entry.model_dump()
        return {f.name: new[f.name] for f in self._fields if new[f.name] != self._base.get(f.name)}

    def entry(self) -> BaseModel | None:
        return self._entry

    def accept(self) -> None:
        try:
            self._entry = self._model.model_validate(self.values())
        except _FieldProblem as exc:
            self.show_error(str(exc))
            return
        except ValidationError as exc:
            self.show_error("\n".join(describe_errors(self._model, exc)))
            return
        super().accept()

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()
        self.error_label.setFocus(Qt.FocusReason.OtherFocusReason)
