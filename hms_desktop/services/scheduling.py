"""Booking use cases: book, book a series, move, resize, change status, find a free slot.

Every write is checked against the interval index first and either saved whole or not at
all; the index is updated only after the storage engine has made the change durable.
Methods are synchronous; the UI runs writes on the background writer and may call the
read-only checks (``problems``, ``find_next_free_slot``) directly for instant feedback.
"""

from __future__ import annotations

import getpass
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Any

from hms_desktop.domain.accounts import Permission
from hms_desktop.domain.field_limits import check_limits, limit
from hms_desktop.domain.patient import Patient, PatientStatus
from hms_desktop.domain.schedule_availability import ProviderCalendar
from hms_desktop.domain.schedule_conflicts import Conflict, resources_of
from hms_desktop.domain.schedule_recurrence import Recurrence, occurrences_utc
from hms_desktop.domain.schedule_time import clinic_zone, utc_to_wall, wall_to_utc
from hms_desktop.domain.scheduling import (
    Appointment,
    AppointmentStatus,
    Availability,
    AvailabilityException,
    Provider,
    Room,
    Series,
    check_transition,
)
from hms_desktop.services.access_control import UNRESTRICTED, AccessControl, requires
from hms_desktop.services.bus import Change, EventBus
from hms_desktop.services.schedule_index import BRIEF_COLUMNS, AppointmentIndex, Brief
from hms_desktop.services.schedule_slots import find_next_free_slot
from hms_desktop.services.settings_file import SettingsError, load_settings
from hms_desktop.storage import Store, Table
from hms_desktop.storage.backend import exclusive
from hms_desktop.storage.patients import PATIENTS
from hms_desktop.storage.scheduling import (
    APPOINTMENTS,
    AVAILABILITY,
    EXCEPTIONS,
    PROVIDERS,
    ROOMS,
    SERIES,
)


def _settings_zone(store: Store) -> str | None:
    """The clinic zone from the data folder's settings, so CLI, demo and app agree."""
    try:
        return load_settings(store.data_dir).time_zone
    except (SettingsError, OSError):
        return None  # the app reports a damaged settings file; scheduling uses the default


#: How a date left out of a series when booking "the rest" is recorded (as a cancelled occurrence).
SKIPPED = "Not booked with the series:"


class BookingError(ValueError):
    """A booking refused for one or more reasons, each a sentence naming the clash."""

    def __init__(self, problems: list[str], *, outside_hours: bool = False) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
        self.outside_hours = outside_hours  # the only problem an override can lift


class SchedulingService:
    """Providers, availability, rooms and appointments with conflict-free booking.

    Reading the schedule needs *view schedule*, every change *manage schedule*
    (docs/security.md); a refused call raises ``PermissionError``."""

    access: AccessControl = UNRESTRICTED

    def __init__(self, store: Store, bus: EventBus, *, clinic_tz: str | None = None) -> None:
        self.store = store
        self.bus = bus
        self.zone = clinic_zone(clinic_tz or _settings_zone(store))
        self._lock = threading.RLock()
        self._index: AppointmentIndex | None = None
        self._calendars: dict[str, ProviderCalendar] = {}

    # Tables load on first use so building the services does not load a big schedule.
    @cached_property
    def providers(self) -> Table[Provider]:
        return self.store.table(PROVIDERS)

    @cached_property
    def availability(self) -> Table[Availability]:
        return self.store.table(AVAILABILITY)

    @cached_property
    def exceptions(self) -> Table[AvailabilityException]:
        return self.store.table(EXCEPTIONS)

    @cached_property
    def rooms(self) -> Table[Room]:
        return self.store.table(ROOMS)

    @cached_property
    def appointments(self) -> Table[Appointment]:
        return self.store.table(APPOINTMENTS)

    @cached_property
    def series(self) -> Table[Series]:
        return self.store.table(SERIES)

    @cached_property
    def patients(self) -> Table[Patient]:
        return self.store.table(PATIENTS)

    # ----- settings and lookups -------------------------------------------------------
    def set_clinic_tz(self, name: str | None) -> None:
        """Display and recurrence zone; stored instants are UTC so nothing is rewritten."""
        self.zone = clinic_zone(name)

    @property
    def actor(self) -> str:
        return str(getattr(self.store, "actor", "") or getpass.getuser())

    @property
    def index(self) -> AppointmentIndex:
        with self._lock:
            if self._index is None:
                cols = {c: self.appointments.column(c) for c in BRIEF_COLUMNS}
                self._index = AppointmentIndex.from_columns(self.appointments.ids(), cols)
            return self._index

    @property
    def index_ready(self) -> bool:
        return self._index is not None

    def warm_up(self) -> int:
        """Load the tables and build the index (seconds on years of data): call it off the
        GUI thread, e.g. on the background writer or while the session opens."""
        return len(self.index.conflicts) + len(self.providers) + len(self.availability)

    @requires(Permission.VIEW_SCHEDULE)
    def calendar(self, provider_id: str) -> ProviderCalendar:
        with self._lock:
            cal = self._calendars.get(provider_id)
            if cal is None:
                provider = self.providers.get(provider_id)
                cal = ProviderCalendar(self.availability.where("provider_id", provider_id),
                                       self.exceptions.where("provider_id", provider_id),
                                       provider.slot_minutes if provider else 15)
                self._calendars[provider_id] = cal
            return cal

    def active_providers(self, department: str | None = None) -> list[Provider]:
        return [p for p in self.providers.all()
                if p.active and (department is None or p.department == department)]

    @requires(Permission.VIEW_SCHEDULE)
    def briefs_between(self, start: datetime, end: datetime,
                       provider_ids: Iterable[str] | None = None) -> list[Brief]:
        """What calendar views draw, for appointments overlapping [start, end), by start.

        Answered from the index alone: a busy week of fifty providers costs no model building.
        """
        wanted = set(provider_ids) if provider_ids is not None else None
        with self._lock:
            briefs = self.index.briefs_between(start, end)
        return briefs if wanted is None else [b for b in briefs if b.provider_id in wanted]

    @requires(Permission.VIEW_SCHEDULE)
    def appointments_between(self, start: datetime, end: datetime,
                             provider_ids: Iterable[str] | None = None) -> list[Appointment]:
        """Full appointments overlapping [start, end), ordered by start."""
        found = (self.appointments.get(b.id) for b in self.briefs_between(start, end, provider_ids))
        return [a for a in found if a is not None]

    @requires(Permission.VIEW_SCHEDULE)
    def day_summaries(self, start: datetime, end: datetime, provider_ids: Iterable[str] | None = None,
                      *, include_cancelled: bool = False) -> dict[date, list[str]]:
        """Local date -> patient ids of appointments starting that day (month view)."""
        out: dict[date, list[str]] = {}
        days: dict[int, date] = {}  # many appointments share a start time: convert each once
        lo, hi = start.timestamp(), end.timestamp()
        for b in self.briefs_between(start, end, provider_ids):
            if not lo <= b.start < hi:
                continue
            if not include_cancelled and b.status == AppointmentStatus.CANCELLED.value:
                continue
            day = days.get(b.start)
            if day is None:
                day = days[b.start] = datetime.fromtimestamp(b.start, self.zone).date()
            out.setdefault(day, []).append(b.patient_id)
        return out

    # ----- setup ----------------------------------------------------------------------
    @requires(Permission.MANAGE_SCHEDULE)
    def add_provider(self, provider: Provider, availability: Iterable[Availability] = ()) -> Provider:
        saved = self.providers.insert(provider)
        windows = [a.model_copy(update={"provider_id": saved.id}) for a in availability]
        if windows:
            self.availability.insert_many(windows)
        self._calendars.pop(saved.id, None)
        self._publish("providers", [saved.id], "insert")
        return saved

    @requires(Permission.MANAGE_SCHEDULE)
    def add_availability(self, windows: list[Availability]) -> None:
        saved = self.availability.insert_many(windows)
        for w in windows:
            self._calendars.pop(w.provider_id, None)
        self._publish("availability", [w.id for w in saved], "insert")

    @requires(Permission.MANAGE_SCHEDULE)
    def update_provider(self, provider_id: str, changes: dict[str, Any]) -> Provider:
        saved = self.providers.update(provider_id, changes)
        self._calendars.pop(provider_id, None)
        self._publish("providers", [provider_id], "update")
        return saved

    @requires(Permission.MANAGE_SCHEDULE)
    def set_weekly_hours(self, provider_id: str, windows: list[Availability]) -> list[Availability]:
        """Replace a provider's weekly pattern: old rows are retired (kept), new ones added.

        Existing appointments are not touched; they may now fall outside hours, which is
        what a manager changing hours expects to see and resolve.
        """
        if self.providers.get(provider_id) is None:
            raise ValueError(f"provider {provider_id} does not exist")
        fresh = [w.model_copy(update={"provider_id": provider_id, "active": True}) for w in windows]
        with self._lock:
            for old in self.availability.where("provider_id", provider_id):
                if old.active:
                    self.availability.update(old.id, {"active": False})
            saved = self.availability.insert_many(fresh) if fresh else []
            self._calendars.pop(provider_id, None)
        self._publish("availability", [w.id for w in saved], "update")
        return saved

    @requires(Permission.MANAGE_SCHEDULE)
    def withdraw_exception(self, exception_id: str) -> None:
        saved = self.exceptions.update(exception_id, {"active": False})
        self._calendars.pop(saved.provider_id, None)
        self._publish("availability_exceptions", [exception_id], "update")

    @requires(Permission.MANAGE_SCHEDULE)
    def add_exception(self, exception: AvailabilityException) -> AvailabilityException:
        saved = self.exceptions.insert(exception)
        self._calendars.pop(saved.provider_id, None)
        self._publish("availability_exceptions", [saved.id], "insert")
        return saved

    @requires(Permission.MANAGE_SCHEDULE)
    def add_room(self, room: Room) -> Room:
        saved = self.rooms.insert(room)
        self._publish("rooms", [saved.id], "insert")
        return saved

    @requires(Permission.MANAGE_SCHEDULE)
    def set_room_active(self, room_id: str, active: bool) -> Room:
        """Retire (or bring back) a room; booked appointments keep it, new ones cannot use it."""
        saved = self.rooms.update(room_id, {"active": active})
        self._publish("rooms", [room_id], "update")
        return saved

    # ----- checks ---------------------------------------------------------------------
    def describe(self, conflict: Conflict) -> str:
        """A sentence a receptionist understands, by name (IDs in brackets): who is busy, with
        whom, in which appointment, when. "DOC000001 is already booked" meant nothing at the desk."""
        start = utc_to_wall(conflict.start, self.zone)
        end = utc_to_wall(conflict.end, self.zone)
        when = f"{start:%a %d %b %Y %H:%M}–{end:%H:%M}"
        other = self.appointments.get(conflict.appointment_id)
        with_patient = f" with {self._patient_name(other.patient_id)}" if other is not None else ""
        by_provider = f" with {self._provider_name(other.provider_id)}" if other is not None else ""
        if conflict.resource == "provider":
            return (f"{self._provider_name(conflict.resource_id)} is already booked{with_patient} "
                    f"in {conflict.appointment_id} ({when})")
        if conflict.resource == "patient":
            return (f"Patient {self._patient_name(conflict.resource_id)} already has "
                    f"{conflict.appointment_id}{by_provider} ({when})")
        room = self.rooms.get(conflict.resource_id)
        name = room.name if room is not None else conflict.resource_id
        name = name if name.casefold().startswith("room") else f"Room {name}"
        return f"{name} ({conflict.resource_id}) is already booked in {conflict.appointment_id}{by_provider} ({when})"

    def _provider_name(self, provider_id: str) -> str:
        provider = self.providers.get(provider_id)
        return f"{provider.name} ({provider_id})" if provider is not None else f"provider {provider_id}"

    def _patient_name(self, patient_id: str) -> str:
        patient = self.patients.get(patient_id)
        return f"{patient.full_name} ({patient_id})" if patient is not None else patient_id

    def problems(self, draft: Appointment, *, ignore: Iterable[str] = (),
                 override: bool = False) -> list[str]:
        """Every reason ``draft`` cannot be saved; empty when it can."""
        out = []
        if draft.end <= draft.start:
            out.append("end must be after start (zero-length appointments are refused)")
            return out
        if (text := self.patient_problem(draft.patient_id)):
            out.append(text)
        provider = self.providers.get(draft.provider_id)
        if provider is None:
            out.append(f"provider {draft.provider_id} does not exist")
        elif not provider.active:
            out.append(f"provider {provider.name} ({draft.provider_id}) is inactive")
        room = self.rooms.get(draft.room_id) if draft.room_id else None
        if draft.room_id and room is None:
            out.append(f"room {draft.room_id} does not exist")
        elif room is not None and not room.active and draft.room_id not in self._rooms_kept(ignore):
            out.append(f"room {draft.room_id} ({room.name}) is retired")
        with self._lock:
            clashes = self.index.conflicts.conflicts(resources_of(draft), draft.start, draft.end,
                                                     frozenset(ignore))
        out.extend(self.describe(c) for c in clashes)
        if not override and not self.within_hours(draft):
            start = utc_to_wall(draft.start, self.zone)
            out.append(f"{start:%a %d %b %Y %H:%M} is outside provider {self._provider_name(draft.provider_id)}'s "
                       "available hours (override to book anyway)")
        return out

    def patient_problem(self, patient_id: str) -> str:
        """Why this patient cannot be booked ('' when they can): unknown, merged, deceased."""
        patient = self.patients.get(patient_id)
        if patient is None:
            return f"patient {patient_id} does not exist"
        if patient.status == PatientStatus.MERGED:
            return f"patient {patient_id} was merged into {patient.merged_into}; book that record"
        if patient.status == PatientStatus.DECEASED:
            return f"patient {patient_id} is recorded as deceased"
        return ""

    def _rooms_kept(self, ignore: Iterable[str]) -> set[str]:
        """Rooms already held by the appointments being changed: a move may keep a retired room."""
        return {a.room_id for a in (self.appointments.get(i) for i in ignore) if a is not None}

    def within_hours(self, draft: Appointment) -> bool:
        return self.calendar(draft.provider_id).covers(utc_to_wall(draft.start, self.zone),
                                                       utc_to_wall(draft.end, self.zone))

    def _require_ok(self, draft: Appointment, *, ignore: Iterable[str] = (),
                    override: bool = False) -> None:
        problems = self.problems(draft, ignore=ignore, override=override)
        if problems:
            raise BookingError(problems, outside_hours=any("outside provider" in p for p in problems))

    def _stamped(self, draft: Appointment, override: bool) -> Appointment:
        """Record an override only when it was actually needed, with who made it."""
        needed = override and not self.within_hours(draft)
        return draft.model_copy(update={
            "tz": self.zone.key, "override_availability": needed,
            "override_by": self.actor if needed else "",
            "status_at": draft.status_at or datetime.now(UTC),
            "status_by": draft.status_by or self.actor,
        })

    # ----- booking --------------------------------------------------------------------
    @contextmanager
    def _booking(self) -> Iterator[None]:
        """Check-then-write safely: on a server shared by several desks, hold the appointments
        table (storage/backend.py ``exclusive``) and first index what other desks booked."""
        with self._lock, exclusive(self.store, APPOINTMENTS.name) as changed:
            self.index_changed(changed[APPOINTMENTS.name])
            yield

    def index_changed(self, appointment_ids: Iterable[str]) -> None:
        """Appointments saved elsewhere (another workstation): keep the indexes current."""
        with self._lock:
            if self._index is None:
                return
            for appointment_id in appointment_ids:
                appt = self.appointments.get(appointment_id)
                if appt is not None:
                    self._index.put(appt)

    @requires(Permission.MANAGE_SCHEDULE)
    def book(self, draft: Appointment, *, override: bool = False) -> Appointment:
        """Save one appointment, or raise BookingError naming every clash; nothing half-saved."""
        draft = Appointment.model_validate(draft.model_dump())
        check_limits(draft)
        with self._booking():
            self._require_ok(draft, override=override)
            saved = self.appointments.insert(self._stamped(draft, override))
            self.index.put(saved)
        self._publish("appointments", [saved.id], "insert")
        return saved

    @requires(Permission.MANAGE_SCHEDULE)
    def book_many(self, drafts: list[Appointment], *, override: bool = False) -> list[Appointment]:
        """Check every draft (against storage and each other), then one batch insert."""
        with self._booking():
            self._check_batch(drafts, override)
            saved = self._insert_checked(drafts, override)
        self._publish("appointments", [a.id for a in saved], "insert")
        return saved

    @requires(Permission.MANAGE_SCHEDULE)
    def book_series(self, draft: Appointment, recurrence: Recurrence, *, override: bool = False,
                    skip_clashes: bool = False) -> list[Appointment]:
        """Book every occurrence as its own appointment linked to a new series, or none.

        With ``skip_clashes`` the dates that cannot be booked are left out and recorded on the
        series as cancelled occurrences whose reason starts with SKIPPED (what clashed), so
        the gap is visible in the calendar and in ``skipped_dates``; refused if nothing is left.
        Occurrences are expanded in clinic wall-clock time, so 09:00 stays 09:00 across DST.
        """
        draft = Appointment.model_validate(draft.model_dump())
        check_limits(draft)
        first_local = utc_to_wall(draft.start, self.zone)
        spans = occurrences_utc(recurrence.wall_starts(first_local), draft.minutes, self.zone.key)
        drafts = [draft.model_copy(update={"start": s, "end": e}) for s, e in spans]
        with self._booking():
            skipped: list[tuple[Appointment, str]] = []
            if skip_clashes:
                drafts, skipped = self._split_clashing(drafts, override)
            self._check_batch(drafts, override)  # before the series row, so a refusal writes nothing
            series = self.series.insert(Series(
                patient_id=draft.patient_id, provider_id=draft.provider_id, room_id=draft.room_id,
                reason=draft.reason, rule=recurrence.to_rrule(first_local.date()), first_local=first_local,
                duration_minutes=draft.minutes, tz=self.zone.key))
            booked = [self._stamped(d.model_copy(update={"series_id": series.id}), override) for d in drafts]
            gaps = [self._stamped(d.model_copy(update={
                "series_id": series.id, "status": AppointmentStatus.CANCELLED,
                "cancel_reason": f"{SKIPPED} {why}"[:limit("Appointment", "cancel_reason")]}), False)
                for d, why in skipped]
            saved = self.appointments.insert_many(booked + gaps)  # one batch: the series is whole
            for appt in saved:
                self.index.put(appt)
        self._publish("appointment_series", [series.id], "insert")
        self._publish("appointments", [a.id for a in saved], "insert")
        return [a for a in saved if a.status != AppointmentStatus.CANCELLED]

    def _split_clashing(self, drafts: list[Appointment],
                        override: bool) -> tuple[list[Appointment], list[tuple[Appointment, str]]]:
        """(bookable, [(skipped, why)]); every date clashing is refused as a whole."""
        staged = AppointmentIndex()
        keep: list[Appointment] = []
        skipped: list[tuple[Appointment, str]] = []
        for draft in drafts:
            found = self.problems(draft, override=override)
            found += ["clashes with an earlier date of this series"
                      for _ in staged.conflicts.conflicts(resources_of(draft), draft.start, draft.end)]
            if found:
                skipped.append((draft, "; ".join(found)))
            else:
                staged.put(draft.model_copy(update={"id": str(len(keep))}))
                keep.append(draft)
        if not keep:
            raise BookingError(["every date of the series clashes: nothing was booked",
                                *(f"{utc_to_wall(d.start, self.zone):%d %b %Y %H:%M}: {why}" for d, why in skipped)])
        return keep, skipped

    @requires(Permission.VIEW_SCHEDULE)
    def skipped_dates(self, series_id: str) -> list[tuple[datetime, str]]:
        """The dates a series was booked without, with why (clinic wall-clock time)."""
        rows = [a for a in self.appointments.where("series_id", series_id)
                if a.status == AppointmentStatus.CANCELLED and a.cancel_reason.startswith(SKIPPED)]
        return sorted((utc_to_wall(a.start, self.zone), a.cancel_reason.removeprefix(SKIPPED).strip())
                      for a in rows)

    def _insert_checked(self, drafts: list[Appointment], override: bool) -> list[Appointment]:
        saved = self.appointments.insert_many([self._stamped(d, override) for d in drafts])
        for appt in saved:
            self.index.put(appt)
        return saved

    def _check_batch(self, drafts: list[Appointment], override: bool,
                     ignore: Iterable[str] = ()) -> None:
        """Check each draft against storage and against the earlier drafts of the same batch."""
        staged = AppointmentIndex()
        problems: list[str] = []
        for n, draft in enumerate(drafts):
            draft = Appointment.model_validate(draft.model_dump())
            found = self.problems(draft, override=override, ignore=ignore)
            found += [f"clashes with item {int(c.appointment_id) + 1} of this booking"
                      for c in staged.conflicts.conflicts(resources_of(draft), draft.start, draft.end)]
            problems += [f"{utc_to_wall(draft.start, self.zone):%d %b %Y %H:%M}: {p}" for p in found]
            staged.put(draft.model_copy(update={"id": str(n)}))
        if problems:
            raise BookingError(problems, outside_hours=all("outside provider" in p for p in problems))

    # ----- changes --------------------------------------------------------------------
    def _get(self, appointment_id: str) -> Appointment:
        appt = self.appointments.get(appointment_id)
        if appt is None:
            raise ValueError(f"appointment {appointment_id} does not exist")
        return appt

    @requires(Permission.MANAGE_SCHEDULE)
    def move(self, appointment_id: str, start: datetime, end: datetime, *,
             provider_id: str | None = None, override: bool = False) -> Appointment:
        """Move and/or resize one appointment; its series siblings are untouched."""
        with self._booking():
            current = self._get(appointment_id)
            if current.status not in (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN):
                raise BookingError([f"{appointment_id} is {current.status.value} and cannot be moved"])
            draft = current.model_copy(update={"start": start, "end": end,
                                               "provider_id": provider_id or current.provider_id})
            draft = Appointment.model_validate(draft.model_dump())
            self._require_ok(draft, ignore={appointment_id}, override=override)
            stamped = self._stamped(draft, override)
            saved = self.appointments.update(appointment_id, {
                "start": stamped.start, "end": stamped.end, "provider_id": stamped.provider_id,
                "override_availability": stamped.override_availability,
                "override_by": stamped.override_by})
            self.index.put(saved)
        self._publish("appointments", [saved.id], "update")
        return saved

    @requires(Permission.VIEW_SCHEDULE)
    def following(self, appointment_id: str) -> list[Appointment]:
        """This occurrence and the later ones of its series that can still change."""
        appt = self._get(appointment_id)
        if not appt.series_id:
            return [appt]
        siblings = self.appointments.where("series_id", appt.series_id)
        return sorted((a for a in siblings if a.start >= appt.start and a.status in
                       (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)),
                      key=lambda a: a.start)

    @requires(Permission.MANAGE_SCHEDULE)
    def move_following(self, appointment_id: str, new_local_start: datetime, *,
                       minutes: int | None = None, override: bool = False) -> list[Appointment]:
        """Shift this and following occurrences by the same wall-clock offset, all or none."""
        with self._booking():
            targets = self.following(appointment_id)
            anchor = utc_to_wall(targets[0].start, self.zone)
            delta = new_local_start - anchor
            ids = {a.id for a in targets}
            drafts = []
            for a in targets:
                start = wall_to_utc(utc_to_wall(a.start, self.zone) + delta, self.zone)
                length = timedelta(minutes=minutes) if minutes else a.end - a.start
                drafts.append(a.model_copy(update={"start": start, "end": start + length}))
            self._check_batch(drafts, override, ignore=ids)
            saved = [self.appointments.update(d.id, {"start": d.start, "end": d.end})
                     for d in drafts]
            for appt in saved:
                self.index.put(appt)
        self._publish("appointments", [a.id for a in saved], "update")
        return saved

    @requires(Permission.MANAGE_SCHEDULE)
    def set_status(self, appointment_id: str, status: AppointmentStatus | str, *,
                   reason: str = "") -> Appointment:
        """booked -> checked-in -> completed, or cancelled (reason required) / no-show."""
        new = AppointmentStatus(status)
        with self._lock:
            current = self._get(appointment_id)
            check_transition(current.status, new)
            if new == AppointmentStatus.CANCELLED and not reason.strip():
                raise ValueError("a reason is required to cancel an appointment")
            changes: dict[str, Any] = {"status": new, "status_at": datetime.now(UTC),
                                       "status_by": self.actor}
            if new == AppointmentStatus.CANCELLED:
                changes["cancel_reason"] = reason.strip()
            saved = self.appointments.update(appointment_id, changes)
            self.index.put(saved)
        self._publish("appointments", [saved.id], "update")
        return saved

    @requires(Permission.MANAGE_SCHEDULE)
    def cancel_following(self, appointment_id: str, reason: str) -> list[Appointment]:
        """Cancel this occurrence and the later ones of its series; earlier ones stay."""
        if not reason.strip():
            raise ValueError("a reason is required to cancel an appointment")
        targets = [a.id for a in self.following(appointment_id)]
        return [self.set_status(aid, AppointmentStatus.CANCELLED, reason=reason) for aid in targets]

    @requires(Permission.MANAGE_SCHEDULE)
    def link_visit(self, appointment_id: str, visit_id: str) -> Appointment:
        saved = self.appointments.update(appointment_id, {"visit_id": visit_id})
        self._publish("appointments", [saved.id], "update")
        return saved

    # ----- free slots -----------------------------------------------------------------
    @requires(Permission.VIEW_SCHEDULE)
    def find_next_free_slot(self, *, after: datetime, minutes: int,
                            provider_id: str | None = None, department: str | None = None,
                            patient_id: str = "", room_id: str = "",
                            days: int = 90) -> Appointment | None:
        """Earliest bookable slot for a provider (or any provider of a department)."""
        if provider_id:
            candidates = [provider_id]
        else:
            candidates = [p.id for p in self.active_providers(department)]
        if not candidates:
            raise ValueError(f"no active providers in {department or 'the clinic'}")
        with self._lock:
            return find_next_free_slot(
                index=self.index.conflicts, calendars={p: self.calendar(p) for p in candidates},
                after=after, minutes=minutes, zone=self.zone, patient_id=patient_id,
                room_id=room_id, days=days)

    def _publish(self, table: str, ids: list[str], op: str) -> None:
        self.bus.publish(Change(table=table, ids=tuple(ids), op=op))
