"""Providers and their hours: add or edit a provider (name, role, department, slot length),
type the weekly hours per weekday ('09:00-12:30, 13:30-17:00'), add leave / holiday /
changed days. Every save runs on the background writer; bad input names the weekday or field."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import ValidationError
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.domain.field_limits import limit
from hms_desktop.domain.scheduling import (
    DEPARTMENTS,
    Availability,
    AvailabilityException,
    Provider,
    parse_windows,
)
from hms_desktop.domain.validation_text import describe_validation_error
from hms_desktop.ui.common.qt_dates import py_date
from hms_desktop.ui.schedule.dialog_base import ScheduleDialog
from hms_desktop.ui.schedule.naming import dated, named
from hms_desktop.ui.schedule.recurrence_box import DAY_NAMES

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext


def hours_text(windows: list[Availability], weekday: int) -> str:
    return ", ".join(f"{w.start}-{w.end}" for w in sorted(windows, key=lambda w: w.start)
                     if w.weekday == weekday and w.active)


class ProvidersDialog(ScheduleDialog):
    """Left: providers. Right: the chosen provider's details, weekly hours and exceptions."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "schedule_providers_dialog", "Providers and hours", parent)
        self.list = named(QListWidget(), "schedule_providers_list", "Providers")
        self.name = named(QLineEdit(), "schedule_provider_name", "Provider name")
        self.name.setMaxLength(limit("Provider", "name"))
        self.role = named(QComboBox(), "schedule_provider_role", "Role")
        self.role.addItems(["doctor", "nurse"])
        self.department = named(QComboBox(), "schedule_provider_department", "Department")
        self.department.addItems(list(DEPARTMENTS))
        self.slot = named(QSpinBox(), "schedule_provider_slot", "Default slot minutes")
        self.slot.setRange(5, 240)
        self.slot.setValue(15)
        self.active = named(QCheckBox("Active"), "schedule_provider_active", "Active")
        self.active.setChecked(True)
        self.hours = [named(QLineEdit(), f"schedule_hours_{n}", f"{name} hours")
                      for n, name in enumerate(DAY_NAMES)]
        for edit in self.hours:
            edit.setPlaceholderText("e.g. 09:00-12:30, 13:30-17:00 (empty: not working)")
        self.save_button = named(QPushButton("&Save provider"), "schedule_provider_save", "Save provider")
        self.new_button = named(QPushButton("&New provider"), "schedule_provider_new", "New provider")
        self.ex_day = dated(named(QDateEdit(QDate.currentDate()), "schedule_exception_day", "Exception date"))
        self.ex_kind = named(QComboBox(), "schedule_exception_kind", "Exception kind")
        self.ex_kind.addItems(["leave", "holiday", "changed"])
        self.ex_hours = named(QLineEdit(), "schedule_exception_hours", "Changed hours")
        self.ex_hours.setPlaceholderText("for a changed day: 10:00-14:00")
        self.ex_add = named(QPushButton("Add &exception"), "schedule_exception_add", "Add exception")
        self.ex_list = named(QListWidget(), "schedule_exceptions", "Exceptions")
        self.ex_withdraw = named(QPushButton("&Withdraw exception"), "schedule_exception_withdraw",
                                 "Withdraw exception")

        form = QFormLayout()
        form.addRow("N&ame", self.name)  # &New provider has N
        form.addRow("&Role", self.role)
        form.addRow("&Department", self.department)
        form.addRow("Slot (min)", self.slot)
        form.addRow("", self.active)
        for name, edit in zip(DAY_NAMES, self.hours, strict=True):
            form.addRow(name, edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.save_button)
        ex_row = QHBoxLayout()
        for w in (self.ex_day, self.ex_kind, self.ex_hours, self.ex_add):
            ex_row.addWidget(w)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addLayout(buttons)
        right.addWidget(QLabel("Exceptions (leave, holidays, changed days)"))
        right.addLayout(ex_row)
        right.addWidget(self.ex_list)
        right.addWidget(self.ex_withdraw)
        right.addWidget(self.message)
        details = QWidget()
        details.setLayout(right)
        # Seven days of hours and the exceptions are taller than a 540-pixel screen (1920×1080
        # at 2×): the details scroll, the provider list beside them stays put.
        scroll = named(QScrollArea(), "schedule_provider_details", "Provider details")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(details)
        layout = QHBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addWidget(scroll, 2)

        self.list.currentItemChanged.connect(lambda *_: self.show_provider())
        self.new_button.clicked.connect(self.clear)
        self.save_button.clicked.connect(self.save)
        self.ex_add.clicked.connect(self.add_exception)
        self.ex_withdraw.clicked.connect(self.withdraw_exception)
        self.fill()

    def current_id(self) -> str:
        item = self.list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else ""

    def fill(self, select: str = "") -> None:
        select = select or self.current_id()
        self.list.blockSignals(True)
        self.list.clear()
        for p in self.service.providers.all():
            item = QListWidgetItem(f"{p.name} — {p.department}{'' if p.active else ' (inactive)'}")
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            self.list.addItem(item)
            if p.id == select:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self.show_provider()

    def clear(self) -> None:
        self.list.setCurrentRow(-1)
        self.name.clear()
        for edit in self.hours:
            edit.clear()
        self.ex_list.clear()
        self.name.setFocus()

    def show_provider(self) -> None:
        provider = self.service.providers.get(self.current_id()) if self.current_id() else None
        if provider is None:
            return
        self.name.setText(provider.name)
        self.role.setCurrentText(provider.role)
        self.department.setCurrentText(provider.department)
        self.slot.setValue(provider.slot_minutes)
        self.active.setChecked(provider.active)
        windows = self.service.availability.where("provider_id", provider.id)
        for n, edit in enumerate(self.hours):
            edit.setText(hours_text(windows, n))
        self.ex_list.clear()
        for ex in sorted(self.service.exceptions.where("provider_id", provider.id), key=lambda e: e.day):
            if ex.active:
                hours = f" {ex.start}-{ex.end}" if ex.kind == "changed" else ""
                item = QListWidgetItem(f"{ex.day:%a %d %b %Y}: {ex.kind}{hours} {ex.note}".strip())
                item.setData(Qt.ItemDataRole.UserRole, ex.id)
                self.ex_list.addItem(item)

    def windows(self) -> list[Availability]:
        """The typed weekly hours; ValueError names the weekday that is wrong."""
        out = []
        for n, edit in enumerate(self.hours):
            try:
                spans = parse_windows(edit.text())
            except ValueError as exc:
                raise ValueError(f"{DAY_NAMES[n]}: {exc}") from None
            out += [Availability(provider_id="-", weekday=n, start=s, end=e, slot_minutes=self.slot.value())
                    for s, e in spans]
        return out

    def save(self) -> None:
        try:
            windows = self.windows()
            details = Provider(name=self.name.text().strip(), role=self.role.currentText(),
                               department=self.department.currentText(), slot_minutes=self.slot.value(),
                               active=self.active.isChecked())
        except ValidationError as exc:
            self.say(describe_validation_error(exc), error=True)
            return
        except ValueError as exc:
            self.say(str(exc), error=True)
            return
        provider_id = self.current_id()
        service = self.service

        def write() -> str:
            if provider_id:
                service.update_provider(provider_id, details.model_dump(exclude={"id"}))
                service.set_weekly_hours(provider_id, windows)
                return provider_id
            return service.add_provider(details, windows).id

        self.ctx.run(write, on_done=self._saved, on_error=self._failed,
                     what="saving provider")

    def _saved(self, provider_id: str) -> None:
        self.fill(select=provider_id)
        self.say(f"Saved {provider_id}.")

    def add_exception(self) -> None:
        provider_id = self.current_id()
        if not provider_id:
            self.say("Choose a provider first.", error=True)
            return
        kind = self.ex_kind.currentText()
        try:
            spans = parse_windows(self.ex_hours.text()) if kind == "changed" else []
            if kind == "changed" and len(spans) != 1:
                raise ValueError("a changed day needs one window, e.g. 10:00-14:00")
            start, end = spans[0] if spans else ("", "")
            exception = AvailabilityException(provider_id=provider_id, day=py_date(self.ex_day.date()),
                                              kind=kind, start=start, end=end)
        except (ValidationError, ValueError) as exc:
            self.say(f"Exception: {exc}", error=True)
            return
        self.ctx.run(self.service.add_exception, exception, on_done=lambda _e: self._saved(provider_id),
                     on_error=self._failed, what="saving exception")

    def withdraw_exception(self) -> None:
        item = self.ex_list.currentItem()
        if item is None:
            return
        provider_id = self.current_id()
        self.ctx.run(self.service.withdraw_exception, str(item.data(Qt.ItemDataRole.UserRole)), on_done=lambda _r: self._saved(provider_id),
                     on_error=self._failed, what="withdrawing exception")
