"""Booking dialog: patient, provider, start, duration, reason, room, repeat; 'Find next free
slot' for a provider or any provider of a department; a live list of problems; an explicit,
recorded override for booking outside hours. The save runs on the background writer."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import ValidationError
from PySide6.QtCore import QDate, QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.domain.field_limits import limit
from hms_desktop.domain.schedule_time import utc_to_wall, wall_to_utc
from hms_desktop.domain.scheduling import Appointment
from hms_desktop.domain.validation_text import describe_validation_error
from hms_desktop.services.scheduling import BookingError, SchedulingService
from hms_desktop.ui.common.qt_dates import py_date, py_time
from hms_desktop.ui.schedule.naming import dated, named
from hms_desktop.ui.schedule.patient_field import chosen_patient, make_patient_chooser
from hms_desktop.ui.schedule.recurrence_box import RecurrenceBox

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext


def default_start(now: datetime) -> datetime:
    """An hour from now, rounded up to the next quarter hour: 20:02 gives 21:15, not 21:02,
    which no clinic books and the receptionist would have to retype."""
    later = now.replace(second=0, microsecond=0) + timedelta(hours=1)
    return later + timedelta(minutes=-later.minute % 15)


class BookingDialog(QDialog):
    sig_appointments_booked = Signal(list)
    """Saved on disk: the new appointment ids."""
    sig_series_skipped = Signal(str)
    """A series was booked without some dates: what was skipped and why (after sig_appointments_booked)."""

    def __init__(self, ctx: AppContext, *, patient_id: str = "", provider_id: str = "",
                 start: datetime | None = None, reason: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "schedule_booking_dialog", "Book appointment")
        self.setWindowTitle("Book appointment")
        self.ctx = ctx
        self.service: SchedulingService = ctx.services.scheduling
        self.saving = False

        self.patient = make_patient_chooser(ctx, self)
        if patient_id:
            self.patient.choose(patient_id)
        self.provider = named(QComboBox(), "schedule_provider", "Provider")
        self.department = named(QComboBox(), "schedule_department", "Department")
        self.department.addItem("Chosen provider only", "")
        providers = self.service.active_providers()
        for p in providers:
            self.provider.addItem(f"{p.name} ({p.department})", p.id)
        for dept in sorted({p.department for p in providers}):
            self.department.addItem(f"Any provider in {dept}", dept)
        if provider_id:
            self.provider.setCurrentIndex(max(0, self.provider.findData(provider_id)))
        local = utc_to_wall(start, self.service.zone) if start and start.tzinfo else start
        local = local or default_start(datetime.now())
        self.date = dated(named(QDateEdit(QDate(local.year, local.month, local.day)), "schedule_date", "Date"))
        self.time = named(QTimeEdit(QTime(local.hour, local.minute)), "schedule_time", "Start time")
        self.time.setDisplayFormat("HH:mm")
        self.minutes = named(QSpinBox(), "schedule_minutes", "Duration in minutes")
        self.minutes.setRange(0, 480)
        self.minutes.setSingleStep(5)
        self.minutes.setValue(self._default_minutes())
        self.reason = named(QLineEdit(reason), "schedule_reason", "Reason")
        self.reason.setMaxLength(limit("Appointment", "reason"))  # field_limits: one table for all
        self.room = named(QComboBox(), "schedule_room", "Room")
        self.room.addItem("No room", "")
        for r in self.service.rooms.all():
            if r.active:
                self.room.addItem(r.name, r.id)
        self.repeat = RecurrenceBox(self)
        self.override = named(QCheckBox("Book outside available &hours (recorded)"),
                               "schedule_override", "Override available hours")
        self.find_button = named(QPushButton("&Find next free slot"), "schedule_find_slot", "Find next free slot")
        self.problems = named(QLabel(""), "schedule_problems", "Booking problems")
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color: #b00020")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.book_button = named(self.buttons.addButton("&Book", QDialogButtonBox.ButtonRole.AcceptRole),
                                  "schedule_book", "Book")
        self.book_button.setDefault(True)
        # Shown when one week of a series clashes: book the other dates, the skipped ones are
        # listed and recorded on the series (the whole series used to be refused).
        self.book_rest_button = named(self.buttons.addButton("Boo&k the other dates",
                                                             QDialogButtonBox.ButtonRole.ActionRole),
                                      "schedule_book_rest", "Book the other dates of the series")
        self.book_rest_button.hide()
        self.book_rest_button.clicked.connect(self.book_rest)

        form = QFormLayout()
        form.addRow("&Patient", self.patient)
        form.addRow("P&rovider", self.provider)
        when = QHBoxLayout()
        when.addWidget(self.date)
        when.addWidget(self.time)
        when_label = QLabel("&When")  # a row of two fields has no automatic buddy: give it one
        when_label.setBuddy(self.date)
        form.addRow(when_label, when)
        form.addRow("&Duration (min)", self.minutes)
        form.addRow("R&eason", self.reason)
        form.addRow("R&oom", self.room)
        slot_row = QHBoxLayout()
        slot_row.addWidget(self.department)
        slot_row.addWidget(self.find_button)
        form.addRow("Free slot", slot_row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.repeat)
        layout.addWidget(self.override)
        layout.addWidget(self.problems)
        layout.addWidget(self.buttons)

        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.find_button.clicked.connect(self.find_slot)
        for signal in (self.provider.currentIndexChanged, self.date.dateChanged, self.time.timeChanged,
                       self.minutes.valueChanged, self.room.currentIndexChanged, self.override.toggled):
            signal.connect(self.refresh_problems)
        self.patient.sig_patient_chosen.connect(self.refresh_problems)
        self.refresh_problems()

    def _default_minutes(self) -> int:
        provider = self.service.providers.get(self.provider.currentData() or "")
        return provider.slot_minutes if provider else 15

    def patient_id(self) -> str:
        return chosen_patient(self.patient)

    def draft(self) -> Appointment:
        """The appointment the form describes; ValueError/ValidationError name the field."""
        local = datetime.combine(py_date(self.date.date()), py_time(self.time.time()))
        start = wall_to_utc(local, self.service.zone)
        return Appointment(patient_id=self.patient_id(), provider_id=self.provider.currentData() or "",
                           start=start, end=start + timedelta(minutes=self.minutes.value()),
                           tz=self.service.zone.key, reason=self.reason.text().strip(),
                           room_id=self.room.currentData() or "")

    def current_problems(self) -> list[str]:
        """Everything wrong with the single appointment as entered (series are checked on save)."""
        problems = [] if self.patient_id() else ["choose a patient (search by name, ID, phone or birth date)"]
        if self.minutes.value() <= 0:
            return [*problems, "duration must be more than 0 minutes"]
        try:
            draft = self.draft()
        except ValidationError as exc:
            return [*problems, describe_validation_error(exc)] if self.patient_id() else problems
        except ValueError as exc:
            return [*problems, str(exc)]
        return problems + self.service.problems(draft, override=self.override.isChecked())

    def refresh_problems(self, *_: object) -> None:
        problems = self.current_problems()
        self.problems.setText("\n".join(problems))
        self.problems.setAccessibleDescription("; ".join(problems))

    def find_slot(self) -> None:
        local = datetime.combine(py_date(self.date.date()), py_time(self.time.time()))
        department = self.department.currentData() or None
        try:
            slot = self.service.find_next_free_slot(
                after=wall_to_utc(local, self.service.zone), minutes=max(5, self.minutes.value()),
                provider_id=None if department else self.provider.currentData(),
                department=department, patient_id=self.patient_id(), room_id=self.room.currentData() or "")
        except ValueError as exc:
            self.problems.setText(str(exc))
            return
        if slot is None:
            self.problems.setText("no free slot in the next 90 days")
            return
        wall = utc_to_wall(slot.start, self.service.zone)
        self.provider.setCurrentIndex(self.provider.findData(slot.provider_id))
        self.date.setDate(QDate(wall.year, wall.month, wall.day))
        self.time.setTime(QTime(wall.hour, wall.minute))
        self.refresh_problems()

    def submit(self) -> None:
        """Check, then save on the background writer; the dialog closes only when saved."""
        if self.saving:
            return
        try:
            recurrence = self.repeat.recurrence(py_date(self.date.date()))
        except ValidationError as exc:
            self.problems.setText(describe_validation_error(exc))
            return
        problems = self.current_problems()
        if problems:
            self.problems.setText("\n".join(problems))
            return
        draft, override = self.draft(), self.override.isChecked()
        self.saving = True
        self.book_button.setEnabled(False)
        if recurrence is None:
            self.ctx.run(self.service.book, draft, override=override, on_done=lambda saved: self._saved([saved]), on_error=self._failed,
                         what="booking appointment")
        else:
            self.ctx.run(self.service.book_series, draft, recurrence, override=override, on_done=self._saved, on_error=self._series_failed, what="booking recurring appointments")

    def _series_failed(self, exc: BaseException) -> bool:
        handled = self._failed(exc)
        clashes = isinstance(exc, BookingError) and not exc.outside_hours
        self.book_rest_button.setVisible(clashes)
        if clashes:
            self.problems.setText(self.problems.text() + "\n\nBook the other dates and skip these?")
        return handled

    def book_rest(self) -> None:
        """Book the series without the clashing dates; they are listed and kept on the series."""
        if self.saving:
            return
        recurrence = self.repeat.recurrence(py_date(self.date.date()))
        if recurrence is None:
            return
        self.saving = True
        self.book_button.setEnabled(False)
        self.book_rest_button.setEnabled(False)
        self.ctx.run(self.service.book_series, self.draft(), recurrence, override=self.override.isChecked(),
                     skip_clashes=True, on_done=self._saved_rest, on_error=self._series_failed,
                     what="booking the other dates of the series")

    def _saved_rest(self, saved: list[Appointment]) -> None:
        self.book_rest_button.setEnabled(True)
        skipped = self.service.skipped_dates(saved[0].series_id) if saved else []
        text = (f"Booked {len(saved)} dates of the series; skipped "
                + "; ".join(f"{when:%a %d %b %Y %H:%M} ({why})" for when, why in skipped))
        self._saved(saved)
        self.sig_series_skipped.emit(text)

    def _saved(self, saved: list[Appointment]) -> None:
        self.saving = False
        self.sig_appointments_booked.emit([a.id for a in saved])
        self.accept()

    def _failed(self, exc: BaseException) -> bool:
        """Shown next to the form, so the context need not open a message box (returns True)."""
        self.saving = False
        self.book_button.setEnabled(True)
        text = "\n".join(exc.problems) if isinstance(exc, BookingError) else str(exc)
        self.problems.setText(text)
        self.problems.setAccessibleDescription(text)
        return True
