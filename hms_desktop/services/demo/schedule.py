"""Demo schedule: providers across departments, weekly hours, leave, rooms, and about three
months of appointments (past ones completed / no-show / cancelled, some of the last few days
still checked in, future ones booked) plus a weekly series for each nurse.

Every appointment passes the booking rules (conflicts, hours) before one batch insert per
provider, which keeps the demo fast without bypassing the rules.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from hms_desktop.domain.schedule_conflicts import ConflictIndex, resources_of
from hms_desktop.domain.schedule_recurrence import Recurrence
from hms_desktop.domain.schedule_time import utc_to_wall, wall_to_utc
from hms_desktop.domain.scheduling import (
    DEPARTMENTS,
    Appointment,
    AppointmentStatus,
    Availability,
    AvailabilityException,
    Provider,
    Room,
)
from hms_desktop.services.container import Services
from hms_desktop.services.demo import Progress
from hms_desktop.services.scheduling import BookingError

FIRST = ["Amira", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Isla", "Jonas",
         "Kemi", "Liam", "Maya", "Nikhil", "Olga", "Priya"]
LAST = ["Okafor", "Smith", "Nguyen", "Patel", "Kowalski", "Haddad", "Murphy", "Rossi",
        "Schmidt", "Ahmed", "Brown", "Silva"]
REASONS = ["Follow-up", "New referral", "Blood pressure review", "Medication review",
           "Test results", "Annual check", "Dressing change", "Vaccination", "ECG"]
CANCEL_REASONS = ["Patient unwell", "Patient request", "Provider unavailable", "Clashing appointment"]
WEEKS_BACK, WEEKS_AHEAD = 8, 6


def generate(services: Services, rng: random.Random, *, patients: int, progress: Progress) -> None:
    sched = services.scheduling
    statuses = sched.patients.column("status")
    patient_ids = [pid for pid, status in zip(sched.patients.ids(), statuses, strict=True)
                   if status == "active"]
    if not patient_ids:
        raise ValueError("the schedule demo needs registered patients (run the patients generator first)")
    progress("providers and rooms", 0.0)
    rooms = [sched.add_room(Room(name=f"Room {n}")) for n in range(1, 5)]
    sched.add_room(Room(name="ECG machine", kind="equipment"))
    providers = []
    for n in range(12):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        role = "nurse" if n % 4 == 3 else "doctor"
        slot = rng.choice([15, 20, 30]) if role == "doctor" else 30
        days = range(5) if n % 3 else (0, 1, 2, 3)  # some work four days
        windows = [Availability(provider_id="-", weekday=d, start="09:00", end="12:30", slot_minutes=slot)
                   for d in days]
        windows += [Availability(provider_id="-", weekday=d, start="13:30", end="17:00", slot_minutes=slot)
                    for d in days]
        providers.append(sched.add_provider(
            Provider(name=("Dr " if role == "doctor" else "Nurse ") + name, role=role,
                     department=DEPARTMENTS[n % len(DEPARTMENTS)], slot_minutes=slot), windows))
    today = datetime.now(UTC).astimezone(sched.zone).date()
    first_day = today - timedelta(days=today.weekday(), weeks=WEEKS_BACK)
    for provider in providers[::4]:  # a week of leave for a few providers
        leave = first_day + timedelta(weeks=rng.randrange(WEEKS_BACK + WEEKS_AHEAD))
        for d in range(5):
            sched.add_exception(AvailabilityException(provider_id=provider.id,
                                                      day=leave + timedelta(days=d), kind="leave"))
    progress("recurring series", 0.03)
    _series(sched, providers, today, rng, patient_ids)  # first, so the daily fill works around them
    staged = ConflictIndex()  # patients are shared across providers: stage across batches
    for n, provider in enumerate(providers):
        progress(f"appointments for {provider.name}", 0.05 + 0.85 * n / len(providers))
        drafts = _provider_drafts(sched, provider, first_day, today, rng, patient_ids, rooms, staged)
        sched.book_many(drafts)
    progress("schedule done", 1.0)


def _provider_drafts(sched, provider: Provider, first_day: date, today: date,  # type: ignore[no-untyped-def]
                     rng: random.Random, patient_ids: list[str], rooms: list[Room],
                     staged: ConflictIndex) -> list[Appointment]:
    now = datetime.now(UTC)
    drafts: list[Appointment] = []
    cal = sched.calendar(provider.id)
    for offset in range((WEEKS_BACK + WEEKS_AHEAD) * 7):
        day = first_day + timedelta(days=offset)
        for local in cal.slot_starts(day, provider.slot_minutes, datetime.combine(day, datetime.min.time())):
            if rng.random() > 0.6:
                continue
            start = wall_to_utc(local, sched.zone)
            draft = Appointment(patient_id=rng.choice(patient_ids), provider_id=provider.id, start=start,
                                end=start + timedelta(minutes=provider.slot_minutes),
                                reason=rng.choice(REASONS),
                                room_id=rng.choice(rooms).id if rng.random() < 0.3 else "")
            draft = _with_status(draft, day, today, now, rng)
            if sched.problems(draft) or staged.conflicts(resources_of(draft), draft.start, draft.end):
                continue  # the rules say no: a real receptionist would pick another patient/slot
            staged.add(draft.model_copy(update={"id": f"demo{len(staged)}"}))
            drafts.append(draft)
    return drafts


def _with_status(draft: Appointment, day: date, today: date, now: datetime,
                 rng: random.Random) -> Appointment:
    """Past: mostly completed, some no-show or cancelled; the last few days also hold visits
    still checked in (not yet closed by the clinician); future: booked, a few cancelled."""
    roll = rng.random()
    if draft.start <= now:
        recent = (today - day).days <= 4
        status = (AppointmentStatus.CHECKED_IN if recent and roll < 0.15 else
                  AppointmentStatus.COMPLETED if roll < 0.8 else
                  AppointmentStatus.NO_SHOW if roll < 0.9 else AppointmentStatus.CANCELLED)
    else:
        status = AppointmentStatus.CANCELLED if roll < 0.07 else AppointmentStatus.BOOKED
    reason = rng.choice(CANCEL_REASONS) if status == AppointmentStatus.CANCELLED else ""
    return draft.model_copy(update={"status": status, "cancel_reason": reason})


def _series(sched, providers: list[Provider], today: date, rng: random.Random,  # type: ignore[no-untyped-def]
            patient_ids: list[str]) -> None:
    """A few weekly series (e.g. dressing changes), booked at the first free slot."""
    for provider in providers[3::4]:
        after = wall_to_utc(datetime.combine(today + timedelta(days=1), datetime.min.time()), sched.zone)
        for _ in range(5):
            slot = sched.find_next_free_slot(after=after, minutes=provider.slot_minutes,
                                             provider_id=provider.id)
            if slot is None:
                break
            local = utc_to_wall(slot.start, sched.zone)
            draft = slot.model_copy(update={"patient_id": rng.choice(patient_ids),
                                            "reason": "Dressing change"})
            try:
                sched.book_series(draft, Recurrence(freq="weekly", weekdays=[local.weekday()], count=6))
                break
            except BookingError:
                after = slot.end  # a later week clashes: try the next free slot
