"""Referrals: the workflow draft → sent → appointment booked → seen → report received (or
cancelled), each step dated, and the rule that flags a step as late.

The original system sent a referral and forgot it; the point here is tracking it after.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel, field_validator, model_validator

# The nine departments of the original system; the live list is an editable table.
DEFAULT_DEPARTMENTS: tuple[str, ...] = (
    "General Medicine", "Neurology", "Cardiology", "Orthopedics", "Pediatrics",
    "Dermatology", "Oncology", "Endocrinology", "Gastroenterology",
)


class Department(BaseModel):
    id: str = ""
    name: str
    active: bool = True

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("department name is required")
        return value


class Urgency(StrEnum):
    ROUTINE = "routine"
    SOON = "soon"
    URGENT = "urgent"


class ReferralStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    BOOKED = "appointment booked"
    SEEN = "seen"
    REPORT_RECEIVED = "report received"
    CANCELLED = "cancelled"


# Each status and the date field that records when the referral reached it.
STEP_DATE: dict[ReferralStatus, str] = {
    ReferralStatus.DRAFT: "created_on",
    ReferralStatus.SENT: "sent_on",
    ReferralStatus.BOOKED: "booked_on",
    ReferralStatus.SEEN: "seen_on",
    ReferralStatus.REPORT_RECEIVED: "report_on",
    ReferralStatus.CANCELLED: "cancelled_on",
}
_FORWARD: tuple[ReferralStatus, ...] = (
    ReferralStatus.DRAFT, ReferralStatus.SENT, ReferralStatus.BOOKED, ReferralStatus.SEEN,
    ReferralStatus.REPORT_RECEIVED,
)
FINAL: frozenset[ReferralStatus] = frozenset({ReferralStatus.REPORT_RECEIVED,
                                              ReferralStatus.CANCELLED})


class Referral(BaseModel):
    id: str = ""
    patient_id: str
    from_department: str = ""
    to_department: str
    reason: str
    urgency: Urgency = Urgency.ROUTINE
    referred_by: str
    notes: str = ""
    status: ReferralStatus = ReferralStatus.DRAFT
    created_on: date
    sent_on: date | None = None
    booked_on: date | None = None
    appointment_on: date | None = None
    seen_on: date | None = None
    report_on: date | None = None
    cancelled_on: date | None = None
    cancel_reason: str = ""

    @field_validator("patient_id", "to_department", "reason", "referred_by")
    @classmethod
    def _required(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is required")
        return value.strip()

    @model_validator(mode="after")
    def _dated_steps(self) -> Referral:
        # Every step up to the current status carries its date (a hand-edited row that
        # skips one is quarantined rather than shown with a hole in its history).
        if self.status is ReferralStatus.CANCELLED:
            if self.cancelled_on is None:
                raise ValueError("a cancelled referral needs cancelled_on")
            return self
        for step in _FORWARD[: _FORWARD.index(self.status) + 1]:
            if getattr(self, STEP_DATE[step]) is None:
                raise ValueError(f"status '{self.status}' needs {STEP_DATE[step]}")
        if self.status is ReferralStatus.BOOKED and self.appointment_on is None:
            raise ValueError("an appointment booked needs appointment_on")
        return self


class WorkflowError(ValueError):
    """A step that the workflow does not allow, with a message for the user."""


def next_steps(status: ReferralStatus) -> list[ReferralStatus]:
    """Where a referral can go from here: the next step forward, or cancelled."""
    if status in FINAL:
        return []
    return [_FORWARD[_FORWARD.index(status) + 1], ReferralStatus.CANCELLED]


def advance(ref: Referral, to: ReferralStatus, on: date, *, appointment_on: date | None = None,
            cancel_reason: str = "") -> Referral:
    """The referral moved one step on, dated ``on``; raises WorkflowError when not allowed."""
    to = ReferralStatus(to)
    if to not in next_steps(ref.status):
        raise WorkflowError(f"a referral that is '{ref.status}' cannot become '{to}'")
    last = max(d for d in (ref.created_on, ref.sent_on, ref.booked_on, ref.seen_on) if d)
    if on < last:
        raise WorkflowError(f"date {on.isoformat()} is before the previous step "
                            f"({last.isoformat()})")
    changes: dict[str, object] = {"status": to, STEP_DATE[to]: on}
    if to is ReferralStatus.BOOKED:
        if appointment_on is None:
            raise WorkflowError("appointment date is required when booking")
        if appointment_on < on:
            raise WorkflowError("appointment date cannot be before the booking date")
        changes["appointment_on"] = appointment_on
    if to is ReferralStatus.CANCELLED:
        if not cancel_reason.strip():
            raise WorkflowError("a reason is required to cancel a referral")
        changes["cancel_reason"] = cancel_reason.strip()
    return ref.model_copy(update=changes)


# Days allowed for each step, by urgency, before it is flagged late.
STEP_ALLOWANCE: dict[ReferralStatus, dict[Urgency, int]] = {
    ReferralStatus.DRAFT: {Urgency.ROUTINE: 3, Urgency.SOON: 2, Urgency.URGENT: 1},
    ReferralStatus.SENT: {Urgency.ROUTINE: 28, Urgency.SOON: 14, Urgency.URGENT: 3},
    ReferralStatus.SEEN: {Urgency.ROUTINE: 14, Urgency.SOON: 10, Urgency.URGENT: 7},
}


def overdue_reason(ref: Referral, today: date) -> str | None:
    """Why this referral is late, or None when it is on time (or finished)."""
    if ref.status in FINAL:
        return None
    if ref.status is ReferralStatus.BOOKED:
        if ref.appointment_on is not None and today > ref.appointment_on:
            return f"appointment on {ref.appointment_on.isoformat()} not marked seen"
        return None
    since = getattr(ref, STEP_DATE[ref.status])
    allowed = STEP_ALLOWANCE[ref.status][ref.urgency]
    due = since + timedelta(days=allowed)
    if today <= due:
        return None
    waiting = {ReferralStatus.DRAFT: "not sent", ReferralStatus.SENT: "no appointment booked",
               ReferralStatus.SEEN: "no report received"}[ref.status]
    return f"{waiting} after {(today - since).days} days (allowed {allowed})"
