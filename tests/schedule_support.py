"""Shared set-up for scheduling tests: a real store with two providers and a room."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hms_desktop.domain.patient import Patient
from hms_desktop.domain.schedule_time import clinic_zone, wall_to_utc
from hms_desktop.domain.scheduling import Appointment, Availability, Provider, Room
from hms_desktop.services.bus import Change, EventBus
from hms_desktop.services.patients import PatientService
from hms_desktop.services.scheduling import SchedulingService

LONDON = clinic_zone("Europe/London")


def local(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    """A London wall-clock time as the UTC instant the service stores."""
    return wall_to_utc(datetime(y, mo, d, h, mi), LONDON)


def draft(start: datetime, minutes: int = 30, *, doc: str = "DOC000001", pat: str = "PAT000001",
          room: str = "", reason: str = "check-up") -> Appointment:
    return Appointment(patient_id=pat, provider_id=doc, start=start,
                       end=start + timedelta(minutes=minutes), room_id=room, reason=reason)


def weekdays_9_to_17(slot: int = 15) -> list[Availability]:
    return [Availability(provider_id="-", weekday=d, start="09:00", end="17:00", slot_minutes=slot)
            for d in range(5)]


def seed_patients(store: Any, count: int = 10) -> None:
    """Real patients PAT000001.. registered through the Patients service (booking checks them)."""
    PatientService(store, EventBus()).register_many(
        [Patient(given_name=f"Pat{n}", family_name="Tester", date_of_birth=date(1980, 1, 1) + timedelta(days=n))
         for n in range(1, count + 1)], check_phones=False)


def seed(service: SchedulingService) -> None:
    if len(service.patients) == 0:
        seed_patients(service.store)
    service.add_provider(Provider(name="Dr Ada Lovelace", department="Cardiology"), weekdays_9_to_17())
    service.add_provider(Provider(name="Nurse Bob Jones", role="nurse", department="Cardiology"),
                         weekdays_9_to_17(30))
    service.add_room(Room(name="Room 1"))


class Recorder:
    def __init__(self) -> None:
        self.changes: list[Change] = []

    def __call__(self, change: Change) -> None:
        self.changes.append(change)


NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday
