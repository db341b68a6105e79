"""Referrals: the editable department list, the workflow steps, and the clinic-wide list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from hms_desktop.domain.accounts import Permission
from hms_desktop.domain.field_limits import check_limits
from hms_desktop.domain.referrals import (
    STEP_DATE,
    Department,
    Referral,
    ReferralStatus,
    Urgency,
    advance,
    overdue_reason,
)
from hms_desktop.domain.timeline import TimelineEntry, day_start
from hms_desktop.services.access_control import UNRESTRICTED, AccessControl, requires
from hms_desktop.services.bus import Change, EventBus
from hms_desktop.services.care_rows import Unreadable, all_readable, where_readable
from hms_desktop.storage import Store
from hms_desktop.storage.care import DEPARTMENTS, REFERRALS, seed_defaults
from hms_desktop.storage.table import Table


@dataclass(frozen=True, slots=True)
class ReferralRow:
    """A referral as the lists show it, with its overdue reason for the given day."""

    referral: Referral
    overdue: str | None


class ReferralService:
    access: AccessControl = UNRESTRICTED  # the session's signed-in user

    def __init__(self, store: Store, bus: EventBus) -> None:
        self._bus = bus
        seed_defaults(store)
        self._departments: Table[Department] = store.table(DEPARTMENTS)
        self._store = store
        self._unreadable: dict[str, list[Unreadable]] = {}

    @property
    def _referrals(self) -> Table[Referral]:
        """Loaded on first use, not at start-up (``services/session.py::load_deferred``)."""
        return self._store.table(REFERRALS)

    def _publish(self, table: str, ids: Sequence[str], op: str) -> None:
        self._bus.publish(Change(table=table, ids=tuple(ids), op=op))

    # -- departments ----------------------------------------------------------------------
    def departments(self, *, include_inactive: bool = False) -> list[Department]:
        deps = all_readable(self._departments)[0]
        return [d for d in deps if include_inactive or d.active]

    def _check_unique(self, name: str, own_id: str = "") -> None:
        for d in all_readable(self._departments)[0]:
            if d.name.casefold() == name.casefold() and d.id != own_id:
                raise ValueError(f"department '{d.name}' already exists")

    def add_department(self, name: str) -> Department:
        dep = Department(name=name)
        self._check_unique(dep.name)
        saved = self._departments.insert(dep)
        self._publish(DEPARTMENTS.name, [saved.id], "insert")
        return saved

    def rename_department(self, dep_id: str, name: str) -> Department:
        """Existing referrals keep the name they were written with (it is what the letter said)."""
        current = self._departments.get(dep_id)
        if current is None:
            raise ValueError(f"unknown department {dep_id}")
        renamed = current.model_copy(update={"name": name})
        renamed = Department.model_validate(renamed.model_dump())
        self._check_unique(renamed.name, dep_id)
        saved = self._departments.update(dep_id, renamed)
        self._publish(DEPARTMENTS.name, [dep_id], "update")
        return saved

    def set_department_active(self, dep_id: str, active: bool) -> Department:
        """Departments are retired, never deleted: old referrals still name them."""
        saved = self._departments.update(dep_id, {"active": active})
        self._publish(DEPARTMENTS.name, [dep_id], "update")
        return saved

    # -- referrals ------------------------------------------------------------------------
    @requires(Permission.REFERRALS, "write referrals")
    def create(self, referral: Referral) -> Referral:
        names = {d.name for d in self.departments()}
        if referral.to_department not in names:
            raise ValueError(f"to_department: '{referral.to_department}' is not an active department")
        if referral.status is not ReferralStatus.DRAFT:
            raise ValueError("a new referral starts as a draft")
        check_limits(referral)
        saved = self._referrals.insert(referral)
        self._publish(REFERRALS.name, [saved.id], "insert")
        return saved

    @requires(Permission.REFERRALS, "write referrals")
    def create_many(self, batch: Sequence[Referral]) -> list[Referral]:
        """Batch insert for demo data (any status, already validated by the model)."""
        saved = self._referrals.insert_many(list(batch))
        if saved:
            self._publish(REFERRALS.name, [r.id for r in saved], "insert")
        return saved

    @requires(Permission.REFERRALS, "write referrals")
    def edit_draft(self, referral: Referral) -> Referral:
        current = self._require(referral.id)
        if current.status is not ReferralStatus.DRAFT:
            raise ValueError("only a draft can be edited; a sent referral is a record of what was sent")
        check_limits(referral)
        saved = self._referrals.update(referral.id, referral)
        self._publish(REFERRALS.name, [saved.id], "update")
        return saved

    @requires(Permission.REFERRALS, "change referrals")
    def advance(self, referral_id: str, to: ReferralStatus, on: date, *,
                appointment_on: date | None = None, cancel_reason: str = "") -> Referral:
        """Move one step on (WorkflowError, a ValueError, when not allowed)."""
        moved = advance(self._require(referral_id), to, on, appointment_on=appointment_on,
                        cancel_reason=cancel_reason)
        saved = self._referrals.update(referral_id, moved)
        self._publish(REFERRALS.name, [referral_id], "update")
        return saved

    def _require(self, referral_id: str) -> Referral:
        ref = self._referrals.get(referral_id)
        if ref is None:
            raise ValueError(f"unknown referral {referral_id}")
        return ref

    def unreadable_for(self, patient_id: str) -> list[Unreadable]:
        """Referral rows of this patient that failed validation at the last read."""
        return list(self._unreadable.get(patient_id, []))

    @requires(Permission.VIEW_RECORD, "read referrals")
    def get(self, referral_id: str) -> Referral | None:
        return self._referrals.get(referral_id)

    @requires(Permission.VIEW_RECORD, "read referrals")
    def history(self, referral_id: str) -> list[Any]:
        return self._referrals.history(referral_id)

    @requires(Permission.VIEW_RECORD, "read referrals")
    def for_patient(self, patient_id: str, today: date) -> list[ReferralRow]:
        found, self._unreadable[patient_id] = where_readable(self._referrals, "patient_id", patient_id)
        refs = sorted(found, key=lambda r: (r.created_on, r.id), reverse=True)
        return [ReferralRow(r, overdue_reason(r, today)) for r in refs]

    def open_for(self, patient_id: str, today: date) -> list[ReferralRow]:
        """Referrals still in progress (the patient summary lists these)."""
        return [r for r in self.for_patient(patient_id, today)
                if r.referral.status not in (ReferralStatus.REPORT_RECEIVED, ReferralStatus.CANCELLED)]

    def search(self, today: date, *, status: ReferralStatus | None = None,
               department: str | None = None, urgency: Urgency | None = None,
               overdue_only: bool = False, open_only: bool = False) -> list[ReferralRow]:
        """The clinic-wide list with its filters, newest first."""
        refs = (where_readable(self._referrals, "status", str(status))[0] if status is not None
                else all_readable(self._referrals)[0])
        rows: list[ReferralRow] = []
        for r in refs:
            if department is not None and r.to_department != department:
                continue
            if urgency is not None and r.urgency is not urgency:
                continue
            if open_only and r.status in (ReferralStatus.REPORT_RECEIVED, ReferralStatus.CANCELLED):
                continue
            reason = overdue_reason(r, today)
            if overdue_only and reason is None:
                continue
            rows.append(ReferralRow(r, reason))
        rows.sort(key=lambda row: (row.referral.created_on, row.referral.id), reverse=True)
        return rows


def referrals_timeline(services: Any, patient_id: str) -> list[TimelineEntry]:
    """One entry per dated step of each referral (created, sent, booked, seen, report, cancelled)."""
    out = []
    for row in services.referrals.for_patient(patient_id, date.today()):
        r = row.referral
        for status, field in STEP_DATE.items():
            day = getattr(r, field)
            if day is None:
                continue
            step = "created" if status is ReferralStatus.DRAFT else status.value
            detail = r.reason
            if status is ReferralStatus.BOOKED and r.appointment_on:
                detail = f"appointment {r.appointment_on.isoformat()}; {r.reason}"
            if status is ReferralStatus.CANCELLED:
                detail = r.cancel_reason
            out.append(TimelineEntry(at=day_start(day), kind="Referral",
                                     title=f"Referral to {r.to_department}: {step}",
                                     detail=detail, table=REFERRALS.name, record_id=r.id,
                                     date_only=True))
    return out
