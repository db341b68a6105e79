"""Break the glass: a user without the permission reads one patient's record after giving a
reason; it is allowed, flagged in the access log and listed for administrators."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from hms_desktop.domain.accounts import Role, SignedInUser
from hms_desktop.domain.patient import Patient
from hms_desktop.domain.record import Allergy, ClinicalNote, Section
from hms_desktop.services.access_control import EMERGENCY, EMERGENCY_READ
from hms_desktop.services.session import Session, close_session, open_session

RECEPTIONIST = SignedInUser("rita", "Rita", frozenset({Role.RECEPTIONIST}))
ADMIN = SignedInUser("boss", "Boss", frozenset({Role.ADMINISTRATOR}))


@pytest.fixture
def session(data_dir: Path) -> Iterator[Session]:
    opened = open_session(data_dir)
    for given in ("Ada", "Bob"):
        patient = opened.services.patients.register(Patient(given_name=given, family_name="Test",
                                                            date_of_birth=date(1970, 5, 6)))
        opened.services.record.add(Section.NOTES, ClinicalNote(
            patient_id=patient.id, author="dr", text=f"note on {given}", at=datetime.now(UTC)))
    yield opened
    close_session(opened)


def _window() -> tuple[datetime, datetime]:
    now = datetime.now(UTC)
    return now - timedelta(days=1), now + timedelta(days=1)


def test_breaking_the_glass_opens_one_record_to_read_flagged_and_shown_to_admins(session: Session) -> None:
    record = session.services.record
    session.sign_in(RECEPTIONIST)
    with pytest.raises(ValueError, match="say why"):
        session.access.break_glass("PAT000001", "urgent")
    session.access.break_glass("PAT000001", "patient collapsed in the waiting room")
    note = record.entries(Section.NOTES, "PAT000001")[0]
    assert note.text == "note on Ada"
    assert record.get(Section.NOTES, note.id) == note
    with pytest.raises(PermissionError):
        record.entries(Section.NOTES, "PAT000002")  # only the patient she gave a reason for
    with pytest.raises(PermissionError):
        record.add(Section.ALLERGIES, Allergy(patient_id="PAT000001", substance="Latex", severity="severe"))  # read only
    log = session.access.read_log(*_window())
    assert [e.detail for e in log if e.action == EMERGENCY] == ["patient collapsed in the waiting room"]
    assert sum(e.action == EMERGENCY_READ and e.patient_id == "PAT000001" for e in log) == 2
    session.sign_in(ADMIN)  # a new sign-in ends the emergency access
    shown = session.access.emergency_accesses(*_window())
    assert [(e.user, e.patient_id) for e in shown] == [("rita", "PAT000001")]
    session.sign_in(RECEPTIONIST)
    with pytest.raises(PermissionError):
        record.entries(Section.NOTES, "PAT000001")
    with pytest.raises(PermissionError):
        session.access.emergency_accesses(*_window())  # administrators only


def test_a_station_cannot_break_the_glass(session: Session) -> None:
    session.sign_in(SignedInUser("station", "Ward station", frozenset({Role.STATION})))
    with pytest.raises(PermissionError, match="nurse-station"):
        session.access.break_glass("PAT000001", "the patient in bed 3 is unwell")
