"""Referral workflow: each step dated, only allowed moves, late steps flagged."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from hms_desktop.domain.referrals import (
    DEFAULT_DEPARTMENTS,
    Referral,
    ReferralStatus,
    Urgency,
    WorkflowError,
    advance,
    next_steps,
    overdue_reason,
)

S = ReferralStatus


def draft(**kw: object) -> Referral:
    base: dict[str, object] = dict(patient_id="PAT000001", to_department="Cardiology",
                                   reason="Chest pain on exertion", referred_by="Dr Okafor",
                                   created_on=date(2026, 11, 1))
    return Referral(**{**base, **kw})


def test_nine_default_departments() -> None:
    assert len(DEFAULT_DEPARTMENTS) == 9 and "Gastroenterology" in DEFAULT_DEPARTMENTS


def test_required_fields_named() -> None:
    with pytest.raises(ValidationError) as info:
        draft(reason="  ", to_department="")
    text = str(info.value)
    assert "reason" in text and "to_department" in text


def test_full_workflow_dates_every_step() -> None:
    r = draft()
    r = advance(r, S.SENT, date(2026, 11, 2))
    r = advance(r, S.BOOKED, date(2026, 11, 5), appointment_on=date(2026, 11, 20))
    r = advance(r, S.SEEN, date(2026, 11, 20))
    r = advance(r, S.REPORT_RECEIVED, date(2026, 11, 27))
    assert r.status is S.REPORT_RECEIVED
    assert (r.sent_on, r.booked_on, r.appointment_on, r.seen_on, r.report_on) == (
        date(2026, 11, 2), date(2026, 11, 5), date(2026, 11, 20), date(2026, 11, 20),
        date(2026, 11, 27))
    assert next_steps(r.status) == []


def test_skipping_a_step_is_refused() -> None:
    with pytest.raises(WorkflowError, match="'draft' cannot become 'seen'"):
        advance(draft(), S.SEEN, date(2026, 11, 3))


def test_step_dated_before_previous_refused() -> None:
    sent = advance(draft(), S.SENT, date(2026, 11, 2))
    with pytest.raises(WorkflowError, match="before the previous step"):
        advance(sent, S.BOOKED, date(2026, 11, 1), appointment_on=date(2026, 11, 9))


def test_booking_needs_appointment_date() -> None:
    sent = advance(draft(), S.SENT, date(2026, 11, 2))
    with pytest.raises(WorkflowError, match="appointment date is required"):
        advance(sent, S.BOOKED, date(2026, 11, 3))


def test_cancel_needs_reason_and_is_final() -> None:
    with pytest.raises(WorkflowError, match="reason is required"):
        advance(draft(), S.CANCELLED, date(2026, 11, 3))
    c = advance(draft(), S.CANCELLED, date(2026, 11, 3), cancel_reason="patient declined")
    assert c.cancelled_on == date(2026, 11, 3) and c.cancel_reason == "patient declined"
    assert next_steps(c.status) == []
    assert overdue_reason(c, date(2027, 1, 1)) is None


def test_hand_edited_row_missing_a_step_date_is_invalid() -> None:
    with pytest.raises(ValidationError, match="needs sent_on"):
        draft(status=S.SEEN, booked_on=date(2026, 11, 3), appointment_on=date(2026, 11, 4),
              seen_on=date(2026, 11, 4))


@pytest.mark.parametrize(("urgency", "allowed"), [
    (Urgency.ROUTINE, 3), (Urgency.SOON, 2), (Urgency.URGENT, 1)])
def test_draft_overdue_edge(urgency: Urgency, allowed: int) -> None:
    r = draft(urgency=urgency)
    assert overdue_reason(r, date(2026, 11, 1 + allowed)) is None
    reason = overdue_reason(r, date(2026, 11, 2 + allowed))
    assert reason == f"not sent after {allowed + 1} days (allowed {allowed})"


def test_sent_overdue_when_not_booked() -> None:
    sent = advance(draft(urgency=Urgency.URGENT), S.SENT, date(2026, 11, 1))
    assert overdue_reason(sent, date(2026, 11, 4)) is None
    assert overdue_reason(sent, date(2026, 11, 5)) == "no appointment booked after 4 days (allowed 3)"


def test_booked_overdue_after_appointment_day() -> None:
    sent = advance(draft(), S.SENT, date(2026, 11, 1))
    booked = advance(sent, S.BOOKED, date(2026, 11, 2), appointment_on=date(2026, 11, 30))
    assert overdue_reason(booked, date(2026, 11, 30)) is None
    assert overdue_reason(booked, date(2026, 12, 1)) == "appointment on 2026-11-30 not marked seen"


def test_seen_overdue_without_report() -> None:
    r = advance(draft(), S.SENT, date(2026, 11, 1))
    r = advance(r, S.BOOKED, date(2026, 11, 1), appointment_on=date(2026, 11, 3))
    r = advance(r, S.SEEN, date(2026, 11, 3))
    assert overdue_reason(r, date(2026, 11, 17)) is None
    assert "no report received" in (overdue_reason(r, date(2026, 11, 18)) or "")
