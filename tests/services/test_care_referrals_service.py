"""ReferralService: departments table, workflow steps with history, clinic-wide filters."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from hms_desktop.domain.referrals import Referral, ReferralStatus, Urgency, WorkflowError
from hms_desktop.services.bus import EventBus
from hms_desktop.services.referrals import ReferralService
from hms_desktop.storage import Store

S = ReferralStatus


@pytest.fixture
def svc(data_dir: Path) -> Iterator[ReferralService]:
    store = Store(data_dir)
    yield ReferralService(store, EventBus())
    store.close()


def new(pid: str = "PAT000001", dep: str = "Cardiology", **kw: object) -> Referral:
    return Referral(patient_id=pid, to_department=dep, reason="reason", referred_by="Dr A",
                    created_on=date(2026, 11, 1), **kw)  # type: ignore[arg-type]


def test_departments_seeded_editable_unique(svc: ReferralService, data_dir: Path) -> None:
    names = [d.name for d in svc.departments()]
    assert len(names) == 9 and "Neurology" in names
    svc.add_department("Psychiatry")
    with pytest.raises(ValueError, match="already exists"):
        svc.add_department("  psychiatry ")
    neuro = next(d for d in svc.departments() if d.name == "Neurology")
    svc.set_department_active(neuro.id, False)
    assert "Neurology" not in [d.name for d in svc.departments()]
    assert "Neurology" in [d.name for d in svc.departments(include_inactive=True)]
    with pytest.raises(ValueError, match="not an active department"):
        svc.create(new(dep="Neurology"))


def test_workflow_steps_saved_with_history(svc: ReferralService) -> None:
    r = svc.create(new())
    assert r.id == "REF000001"
    svc.advance(r.id, S.SENT, date(2026, 11, 2))
    with pytest.raises(WorkflowError):
        svc.advance(r.id, S.REPORT_RECEIVED, date(2026, 11, 3))
    svc.advance(r.id, S.BOOKED, date(2026, 11, 3), appointment_on=date(2026, 11, 10))
    assert [v.record.status for v in svc.history(r.id)] == [S.DRAFT, S.SENT, S.BOOKED]
    with pytest.raises(ValueError, match="only a draft"):
        svc.edit_draft(svc.get(r.id).model_copy(update={"reason": "changed"}))  # type: ignore[union-attr]


def test_clinic_wide_filters(svc: ReferralService) -> None:
    a = svc.create(new("PAT000001", "Cardiology", urgency=Urgency.URGENT))
    svc.create(new("PAT000002", "Oncology"))
    c = svc.create(new("PAT000003", "Cardiology"))
    svc.advance(c.id, S.CANCELLED, date(2026, 11, 1), cancel_reason="duplicate")
    today = date(2026, 11, 3)
    assert {r.referral.id for r in svc.search(today, department="Cardiology")} == {a.id, c.id}
    assert [r.referral.id for r in svc.search(today, status=S.CANCELLED)] == [c.id]
    overdue = svc.search(today, overdue_only=True)
    assert [r.referral.id for r in overdue] == [a.id] and "not sent" in (overdue[0].overdue or "")
    assert len(svc.search(today, open_only=True)) == 2
    assert [r.referral.id for r in svc.search(today, urgency=Urgency.URGENT)] == [a.id]
    assert [r.referral.patient_id for r in svc.for_patient("PAT000002", today)] == ["PAT000002"]


def test_open_for_leaves_out_finished_referrals(svc: ReferralService) -> None:
    a = svc.create(new())
    b = svc.create(new())
    svc.advance(b.id, S.CANCELLED, date(2026, 11, 2), cancel_reason="not needed")
    assert [r.referral.id for r in svc.open_for("PAT000001", date(2026, 11, 3))] == [a.id]
