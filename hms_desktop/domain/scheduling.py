"""Scheduling vocabulary: providers, their weekly availability and exceptions, rooms,
appointments and recurring series.

Every model is a flat pydantic row so the storage engine can keep it in one CSV table.
Rules that need many rows at once (conflicts, availability, recurrence) live in the
``schedule_*`` modules next to this one.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from hms_desktop.domain.schedule_time import DEFAULT_CLINIC_TZ, parse_hhmm

DEPARTMENTS = (
    "General Medicine", "Neurology", "Cardiology", "Orthopedics", "Pediatrics",
    "Dermatology", "Oncology", "Endocrinology", "Gastroenterology",
)


class Provider(BaseModel):
    """A doctor or nurse who can be booked (id ``DOC`` + 6 digits)."""

    id: str = ""
    name: str = Field(min_length=1)
    role: Literal["doctor", "nurse"] = "doctor"
    department: str = "General Medicine"
    slot_minutes: int = Field(default=15, ge=5, le=240)
    active: bool = True


def parse_windows(text: str) -> list[tuple[str, str]]:
    """'09:00-12:30, 13:30-17:00' -> [('09:00', '12:30'), ('13:30', '17:00')]; '' -> [].

    Raises ValueError quoting the piece that is wrong.
    """
    out = []
    for piece in (p.strip() for p in text.split(",")):
        if not piece:
            continue
        start, sep, end = piece.partition("-")
        try:
            if not sep:
                raise ValueError("must be start-end")
            ordered_ok = parse_hhmm(end) > parse_hhmm(start)
        except ValueError as exc:
            raise ValueError(f"{piece!r} must be HH:MM-HH:MM, e.g. 09:00-12:30 ({exc})") from None
        if not ordered_ok:
            raise ValueError(f"{piece!r}: end must be after start")
        out.append((start.strip(), end.strip()))
    ordered = sorted(out, key=lambda w: parse_hhmm(w[0]))
    for (_, a_end), (b_start, _) in zip(ordered, ordered[1:], strict=False):
        if parse_hhmm(b_start) < parse_hhmm(a_end):
            raise ValueError(f"windows overlap at {b_start}")
    return ordered


def _check_hhmm(value: str) -> str:
    parse_hhmm(value)
    return value.strip()


class Availability(BaseModel):
    """One weekly working window: weekday 0=Monday, local 'HH:MM' start/end."""

    id: str = ""
    provider_id: str = Field(min_length=1)
    weekday: int = Field(ge=0, le=6)
    start: str
    end: str
    slot_minutes: int = Field(default=15, ge=5, le=240)
    active: bool = True  # rows are never deleted: changed hours retire the old rows

    _hhmm = field_validator("start", "end")(_check_hhmm)

    @model_validator(mode="after")
    def _ordered(self) -> Availability:
        if parse_hhmm(self.end) <= parse_hhmm(self.start):
            raise ValueError(f"end {self.end} must be after start {self.start}")
        return self


class AvailabilityException(BaseModel):
    """A day that differs from the weekly pattern.

    ``leave`` and ``holiday`` close the whole day; ``changed`` replaces the weekly
    windows of that day with start-end.
    """

    id: str = ""
    provider_id: str = Field(min_length=1)
    day: date
    kind: Literal["leave", "holiday", "changed"]
    start: str = ""
    end: str = ""
    note: str = ""
    active: bool = True  # a withdrawn exception stays in the file, inactive

    @model_validator(mode="after")
    def _hours_when_changed(self) -> AvailabilityException:
        if self.kind == "changed":
            if not self.start or not self.end:
                raise ValueError("a changed day needs start and end times")
            if parse_hhmm(self.end) <= parse_hhmm(self.start):
                raise ValueError(f"end {self.end} must be after start {self.start}")
        return self


class Room(BaseModel):
    """A bookable room or piece of equipment."""

    id: str = ""
    name: str = Field(min_length=1)
    kind: Literal["room", "equipment"] = "room"
    active: bool = True


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


# Which status may follow which; anything else is refused with a message.
TRANSITIONS: dict[AppointmentStatus, frozenset[AppointmentStatus]] = {
    AppointmentStatus.BOOKED: frozenset({
        AppointmentStatus.CHECKED_IN, AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW,
        AppointmentStatus.COMPLETED,
    }),
    AppointmentStatus.CHECKED_IN: frozenset({
        AppointmentStatus.COMPLETED, AppointmentStatus.CANCELLED,
    }),
    AppointmentStatus.COMPLETED: frozenset(),
    AppointmentStatus.CANCELLED: frozenset(),
    AppointmentStatus.NO_SHOW: frozenset(),
}

# Appointments in these statuses occupy their time; cancelled and no-show free it.
BLOCKING = frozenset({
    AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN, AppointmentStatus.COMPLETED,
})


def check_transition(current: AppointmentStatus, new: AppointmentStatus) -> None:
    """Raise ValueError naming both statuses when ``new`` may not follow ``current``."""
    if new not in TRANSITIONS[current]:
        raise ValueError(f"status cannot change from {current.value} to {new.value}")


class Appointment(BaseModel):
    """One booked interval; start/end are UTC instants, ``tz`` the clinic zone it was booked in."""

    id: str = ""
    patient_id: str = Field(min_length=1)
    provider_id: str = Field(min_length=1)
    start: datetime
    end: datetime
    tz: str = DEFAULT_CLINIC_TZ
    reason: str = ""
    room_id: str = ""
    status: AppointmentStatus = AppointmentStatus.BOOKED
    status_at: datetime | None = None
    status_by: str = ""
    cancel_reason: str = ""
    series_id: str = ""
    # Booking outside the provider's hours needs an explicit, recorded override.
    override_availability: bool = False
    override_by: str = ""
    visit_id: str = ""

    @field_validator("start", "end")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("time must carry a time zone")
        return value

    @model_validator(mode="after")
    def _positive(self) -> Appointment:
        if self.end <= self.start:
            raise ValueError("end must be after start (zero-length appointments are refused)")
        if self.status == AppointmentStatus.CANCELLED and not self.cancel_reason.strip():
            raise ValueError("cancel_reason is required to cancel")
        return self

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


class Series(BaseModel):
    """A recurring booking; each occurrence is its own Appointment with ``series_id``."""

    id: str = ""
    patient_id: str
    provider_id: str
    room_id: str = ""
    reason: str = ""
    rule: str  # RFC 5545 RRULE text, e.g. FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10
    first_local: datetime  # naive wall-clock start of the first occurrence, in ``tz``
    duration_minutes: int = Field(gt=0)
    tz: str = DEFAULT_CLINIC_TZ
