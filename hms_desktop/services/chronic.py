"""Chronic-disease programme: enrolment, readings and the clinic-wide overdue list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from hms_desktop.domain.accounts import Permission
from hms_desktop.domain.chronic import (
    ChronicReading,
    Enrolment,
    EnrolmentStatus,
    OverdueEntry,
    overdue,
)
from hms_desktop.domain.timeline import TimelineEntry, day_start
from hms_desktop.services.access_control import UNRESTRICTED, AccessControl, requires
from hms_desktop.services.bus import Change, EventBus
from hms_desktop.services.care_rows import (
    Unreadable,
    all_readable,
    check_not_future,
    where_readable,
)
from hms_desktop.storage import Store
from hms_desktop.storage.care import CHRONIC_READINGS, ENROLMENTS
from hms_desktop.storage.table import Table


class ChronicService:
    """Enrolment is part of the record (*edit record*), a reading is an observation (*record
    observations*), every read needs *view record*."""

    access: AccessControl = UNRESTRICTED  # the session's signed-in user

    def __init__(self, store: Store, bus: EventBus) -> None:
        self._bus = bus
        self._store = store
        self._unreadable: dict[str, list[Unreadable]] = {}

    # Loaded on first use, not at start-up (``services/session.py::load_deferred``).
    @property
    def _enrolments(self) -> Table[Enrolment]:
        return self._store.table(ENROLMENTS)

    @property
    def _readings(self) -> Table[ChronicReading]:
        return self._store.table(CHRONIC_READINGS)

    def _publish(self, table: str, ids: Sequence[str], op: str) -> None:
        self._bus.publish(Change(table=table, ids=tuple(ids), op=op))

    # -- enrolment ------------------------------------------------------------------------
    @requires(Permission.EDIT_RECORD, "enrol in the chronic programme")
    def enrol(self, enrolment: Enrolment) -> Enrolment:
        """One active enrolment per patient: a second one is refused with a message."""
        if self.enrolment_for(enrolment.patient_id) is not None:
            raise ValueError("patient is already enrolled in the programme; edit that enrolment")
        saved = self._enrolments.insert(enrolment)
        self._publish(ENROLMENTS.name, [saved.id], "insert")
        return saved

    @requires(Permission.EDIT_RECORD, "enrol in the chronic programme")
    def enrol_many(self, batch: Sequence[Enrolment]) -> list[Enrolment]:
        saved = self._enrolments.insert_many(list(batch))
        if saved:
            self._publish(ENROLMENTS.name, [e.id for e in saved], "insert")
        return saved

    @requires(Permission.EDIT_RECORD, "change a chronic enrolment")
    def update_enrolment(self, enrolment: Enrolment) -> Enrolment:
        """Save edited diseases, frequency, doctor, notes or targets as a new version."""
        saved = self._enrolments.update(enrolment.id, enrolment)
        self._publish(ENROLMENTS.name, [saved.id], "update")
        return saved

    @requires(Permission.EDIT_RECORD, "end a chronic enrolment")
    def end_enrolment(self, enrolment_id: str) -> Enrolment:
        saved = self._enrolments.update(enrolment_id, {"status": EnrolmentStatus.ENDED})
        self._publish(ENROLMENTS.name, [saved.id], "update")
        return saved

    @requires(Permission.VIEW_RECORD, "read the chronic programme")
    def enrolment_for(self, patient_id: str) -> Enrolment | None:
        enrolments, bad = where_readable(self._enrolments, "patient_id", patient_id)
        self._unreadable[f"enrolments:{patient_id}"] = bad
        active = [e for e in enrolments if e.status is EnrolmentStatus.ACTIVE]
        return active[-1] if active else None

    @requires(Permission.VIEW_RECORD, "read the chronic programme")
    def enrolment_history(self, enrolment_id: str) -> list[Any]:
        return self._enrolments.history(enrolment_id)

    # -- readings -------------------------------------------------------------------------
    @requires(Permission.RECORD_OBSERVATIONS, "record chronic readings")
    def add_reading(self, reading: ChronicReading) -> ChronicReading:
        check_not_future(reading.at, "reading")
        saved = self._readings.insert(reading)
        self._publish(CHRONIC_READINGS.name, [saved.id], "insert")
        return saved

    @requires(Permission.RECORD_OBSERVATIONS, "record chronic readings")
    def add_readings(self, batch: Sequence[ChronicReading]) -> list[ChronicReading]:
        saved = self._readings.insert_many(list(batch))
        if saved:
            self._publish(CHRONIC_READINGS.name, [r.id for r in saved], "insert")
        return saved

    @requires(Permission.VIEW_RECORD, "read chronic readings")
    def readings_for(self, patient_id: str) -> list[ChronicReading]:
        """Oldest first."""
        readings, bad = where_readable(self._readings, "patient_id", patient_id)
        self._unreadable[f"readings:{patient_id}"] = bad
        return sorted(readings, key=lambda r: r.at)

    @requires(Permission.VIEW_RECORD, "read chronic readings")
    def unreadable_for(self, patient_id: str) -> list[Unreadable]:
        """Enrolment and reading rows of this patient that failed validation at the last read."""
        return [*self._unreadable.get(f"enrolments:{patient_id}", []),
                *self._unreadable.get(f"readings:{patient_id}", [])]

    # -- overdue --------------------------------------------------------------------------
    @requires(Permission.VIEW_RECORD, "read the overdue list")
    def last_reading_dates(self) -> dict[str, date]:
        """Latest reading date per patient, from raw cells (no model per row: fast on big tables).

        Times are stored as ISO-8601 UTC, so the text compares in time order.
        """
        latest: dict[str, str] = {}
        for pid, at in zip(self._readings.column("patient_id"), self._readings.column("at"),
                           strict=True):
            if at > latest.get(pid, ""):
                latest[pid] = at
        return {pid: datetime.fromisoformat(at).date() for pid, at in latest.items()}

    @requires(Permission.VIEW_RECORD, "read the overdue list")
    def overdue(self, today: date) -> list[OverdueEntry]:
        """Active enrolments whose next reading is late, most late first."""
        return overdue(all_readable(self._enrolments)[0], self.last_reading_dates(), today)


def _reading_title(r: ChronicReading) -> str:
    parts = [f"glucose {r.glucose_mmol_l:g} mmol/L" if r.glucose_mmol_l is not None else "",
             f"BP {r.systolic}/{r.diastolic}" if r.systolic is not None else "",
             f"weight {r.weight_kg:g} kg" if r.weight_kg is not None else ""]
    return ", ".join(p for p in parts if p)


def chronic_timeline(services: Any, patient_id: str) -> list[TimelineEntry]:
    """Enrolment in the programme and every reading."""
    svc: ChronicService = services.chronic
    out = [TimelineEntry(at=r.at, kind="Chronic reading", title=_reading_title(r),
                         detail=r.notes, table=CHRONIC_READINGS.name, record_id=r.id)
           for r in svc.readings_for(patient_id)]
    enrolment = svc.enrolment_for(patient_id)
    if enrolment is not None:
        out.append(TimelineEntry(
            at=day_start(enrolment.enrolled_on), kind="Chronic programme",
            title="Enrolled: " + ", ".join(enrolment.diseases),
            detail=f"every {enrolment.frequency_days} days"
                   + (f", {enrolment.assigned_doctor}" if enrolment.assigned_doctor else ""),
            table=ENROLMENTS.name, record_id=enrolment.id, date_only=True))
    return out
