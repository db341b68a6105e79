"""Conflict matrix on the pure interval index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from hms_desktop.domain.schedule_conflicts import ConflictIndex, resources_of
from hms_desktop.domain.scheduling import Appointment, AppointmentStatus

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def appt(aid: str, start: datetime, minutes: int = 30, *, doc: str = "DOC000001",
         pat: str = "PAT000001", room: str = "", status: str = "booked") -> Appointment:
    return Appointment(id=aid, patient_id=pat, provider_id=doc, start=start,
                       end=start + timedelta(minutes=minutes), room_id=room, status=status,
                       cancel_reason="ill" if status == "cancelled" else "")


def clashes(index: ConflictIndex, candidate: Appointment) -> list[str]:
    found = index.conflicts(resources_of(candidate), candidate.start, candidate.end)
    return sorted(f"{c.resource}:{c.appointment_id}" for c in found)


@pytest.fixture
def index() -> ConflictIndex:
    idx = ConflictIndex()
    idx.add(appt("APT000001", T0, doc="DOC000001", pat="PAT000001", room="R1"))
    return idx


@pytest.mark.parametrize(("kw", "expected"), [
    ({"doc": "DOC000001", "pat": "PAT000009"}, ["provider:APT000001"]),
    ({"doc": "DOC000009", "pat": "PAT000001"}, ["patient:APT000001"]),
    ({"doc": "DOC000009", "pat": "PAT000009", "room": "R1"}, ["room:APT000001"]),
    ({"doc": "DOC000009", "pat": "PAT000009", "room": "R2"}, []),
    ({"doc": "DOC000001", "pat": "PAT000001", "room": "R1"},
     ["patient:APT000001", "provider:APT000001", "room:APT000001"]),
])
def test_each_resource_blocks_overlap(index: ConflictIndex, kw: dict[str, str], expected: list[str]) -> None:
    assert clashes(index, appt("X", T0 + timedelta(minutes=29), **kw)) == expected


def test_back_to_back_allowed_one_minute_overlap_refused(index: ConflictIndex) -> None:
    assert clashes(index, appt("X", T0 + timedelta(minutes=30))) == []
    assert clashes(index, appt("X", T0 - timedelta(minutes=30))) == []
    assert clashes(index, appt("X", T0 - timedelta(minutes=29))) == ["patient:APT000001", "provider:APT000001"]
    assert clashes(index, appt("X", T0 + timedelta(minutes=29))) != []


def test_containing_and_contained_intervals_clash(index: ConflictIndex) -> None:
    assert clashes(index, appt("X", T0 - timedelta(hours=1), minutes=180, pat="P2")) == ["provider:APT000001"]
    assert clashes(index, appt("X", T0 + timedelta(minutes=10), minutes=5, pat="P2")) == ["provider:APT000001"]


def test_cancelled_and_no_show_do_not_block() -> None:
    idx = ConflictIndex()
    idx.add(appt("APT000001", T0, status="cancelled"))
    idx.add(appt("APT000002", T0, status="no_show"))
    assert clashes(idx, appt("X", T0)) == []


def test_cancelling_frees_the_slot(index: ConflictIndex) -> None:
    index.add(appt("APT000001", T0, room="R1").model_copy(
        update={"status": AppointmentStatus.CANCELLED, "cancel_reason": "x"}))
    assert clashes(index, appt("X", T0)) == []


def test_ignore_self_when_moving(index: ConflictIndex) -> None:
    moved = appt("APT000001", T0 + timedelta(minutes=10))
    assert index.conflicts(resources_of(moved), moved.start, moved.end,
                           ignore=frozenset({"APT000001"})) == []


def test_interval_across_midnight_found_from_next_day() -> None:
    idx = ConflictIndex()
    late = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
    idx.add(appt("APT000001", late, minutes=60))
    assert clashes(idx, appt("X", late + timedelta(minutes=40), pat="P2")) == ["provider:APT000001"]


def test_zero_length_and_reversed_refused() -> None:
    with pytest.raises(ValidationError, match="zero-length"):
        Appointment(patient_id="P", provider_id="D", start=T0, end=T0)
    with pytest.raises(ValidationError, match="end must be after start"):
        Appointment(patient_id="P", provider_id="D", start=T0, end=T0 - timedelta(minutes=5))


def test_naive_time_refused() -> None:
    with pytest.raises(ValidationError, match="time zone"):
        Appointment(patient_id="P", provider_id="D", start=datetime(2026, 1, 1, 9),
                    end=datetime(2026, 1, 1, 10))

_spans = st.lists(st.tuples(st.integers(0, 3 * 24 * 60), st.integers(1, 600), st.sampled_from(["D1", "D2"]),
                            st.sampled_from(["P1", "P2", "P3"]), st.booleans()), max_size=40)


@settings(max_examples=200, deadline=None)
@given(existing=_spans, probe=st.tuples(st.integers(0, 3 * 24 * 60), st.integers(1, 600)))
@pytest.mark.slow
def test_index_agrees_with_brute_force(existing: list[tuple[int, int, str, str, bool]],
                                       probe: tuple[int, int]) -> None:
    """Whatever the spans (across midnights, nested, touching), the index finds exactly the overlaps."""
    index = ConflictIndex()
    kept = []
    for n, (start, length, doc, pat, cancelled) in enumerate(existing):
        a = appt(f"A{n}", T0 + timedelta(minutes=start), length, doc=doc, pat=pat,
                 status="cancelled" if cancelled else "booked")
        index.add(a)
        kept.append(a)
    start = T0 + timedelta(minutes=probe[0])
    end = start + timedelta(minutes=probe[1])
    found = {c.appointment_id for c in index.conflicts([("provider", "D1")], start, end)}
    expected = {a.id for a in kept if a.provider_id == "D1" and a.status == "booked"
                and a.start < end and start < a.end}
    assert found == expected
    for a in kept:  # removing everything leaves nothing to clash with
        index.remove(a.id)
    assert index.conflicts([("provider", "D1")], start, end) == []
