"""Roles enforced in the services: a direct call without the permission raises
PermissionError, whatever the caller, and each denial is in the access log (read back
from the files after reopening the folder)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hms_desktop.domain.accounts import PERMISSION_MATRIX, Permission, Role, SignedInUser
from hms_desktop.domain.alarm_limits import AlarmLimits
from hms_desktop.domain.clinic_settings import ClinicSettings
from hms_desktop.domain.observations import Observation
from hms_desktop.domain.patient import Patient
from hms_desktop.domain.record import Allergy, ClinicalNote, Section
from hms_desktop.domain.referrals import ReferralStatus
from hms_desktop.services.access_control import DENIED, OPENED
from hms_desktop.services.record import record_timeline
from hms_desktop.services.session import Session, close_session, open_session
from hms_desktop.storage import Store


def as_role(role: Role) -> SignedInUser:
    return SignedInUser(f"{role.value}1", f"Test {role.value}", frozenset({role}))


@pytest.fixture
def session(data_dir: Path) -> Iterator[Session]:
    """A folder with one patient, a clinical note and an allergy, written as ``system``."""
    opened = open_session(data_dir)
    services = opened.services
    patient = services.patients.register(Patient(given_name="Ada", family_name="Lovelace",
                                                 date_of_birth=date(1980, 1, 2)))
    services.record.add(Section.NOTES, ClinicalNote(patient_id=patient.id, author="dr", text="Secret plan",
                                                    at=datetime.now(UTC)))
    services.record.add(Section.ALLERGIES, Allergy(patient_id=patient.id, substance="Penicillin", severity="severe"))
    yield opened
    close_session(opened)


def _calls(services: Any) -> dict[Permission, Callable[[], object]]:
    """One service entry point per enforced permission (the matrix walk calls each)."""
    pid = "PAT000001"
    return {
        Permission.VIEW_DEMOGRAPHICS: lambda: services.patients.search("Ada"),
        Permission.EDIT_DEMOGRAPHICS: lambda: services.patients.update(pid, {"address": "1 Analytical Road"}),
        Permission.VIEW_RECORD: lambda: services.record.entries(Section.ALLERGIES, pid),
        Permission.READ_CLINICAL_NOTES: lambda: services.record.entries(Section.NOTES, pid),
        Permission.EDIT_RECORD: lambda: services.record.add(
            Section.ALLERGIES, Allergy(patient_id=pid, substance="Latex", severity="severe")),
        Permission.RECORD_OBSERVATIONS: lambda: services.observations.record(
            Observation(patient_id=pid, at=datetime.now(UTC) - timedelta(minutes=1), pulse=70)),
        Permission.MERGE_PATIENTS: lambda: services.patients.merge_preview(pid, pid),
        Permission.MANAGE_USERS: lambda: services.accounts.list_users(),
        Permission.VIEW_SCHEDULE: lambda: services.scheduling.appointments_between(
            datetime.now(UTC), datetime.now(UTC) + timedelta(days=1)),
        Permission.MANAGE_SCHEDULE: lambda: services.scheduling.set_room_active("ROOM999", False),
        Permission.VIEW_BEDS: lambda: services.monitoring.alarm_history(
            datetime.now(UTC) - timedelta(days=1), datetime.now(UTC)),
        Permission.ACKNOWLEDGE_ALARMS: lambda: services.monitoring.acknowledger(),
        Permission.PAUSE_ALARM_AUDIO: lambda: services.monitoring.acknowledger(
            permission=Permission.PAUSE_ALARM_AUDIO),
        Permission.CONTROL_MONITORING: lambda: services.monitoring.set_limits(pid, AlarmLimits(id=pid)),
        Permission.CHANGE_SETTINGS: lambda: services.folder.save_settings(ClinicSettings()),
        Permission.BACKUP_RESTORE: lambda: services.folder.back_up(lambda: None),
        Permission.REFERRALS: lambda: services.referrals.advance("REF999999", ReferralStatus.SENT, date.today()),
        Permission.VIEW_AUDIT_LOG: lambda: services.access.emergency_accesses(
            datetime.now(UTC) - timedelta(days=1), datetime.now(UTC)),
    }


@pytest.mark.parametrize("role", list(Role))
def test_every_enforced_cell_of_the_matrix_allows_or_refuses(session: Session, role: Role) -> None:
    session.sign_in(as_role(role))
    for permission, call in _calls(session.services).items():
        allowed = role in PERMISSION_MATRIX[permission]
        try:
            call()
        except PermissionError as exc:
            assert not allowed, f"{role} was refused {permission}: {exc}"
            assert "Needs the" in str(exc)
        except (ValueError, KeyError):
            # got past the check; the call itself refused the data (merging a patient with
            # itself, a room that does not exist)
            assert allowed, f"{role} got past the check for {permission}"
        else:
            assert allowed, f"{role} could {permission}"


def test_the_walk_calls_every_permission_of_the_matrix(session: Session) -> None:
    assert set(_calls(session.services)) == set(Permission)


def test_the_matrix_names_every_permission_and_only_known_roles() -> None:
    assert set(PERMISSION_MATRIX) == set(Permission)
    assert all(roles <= set(Role) and roles for roles in PERMISSION_MATRIX.values())
    assert PERMISSION_MATRIX[Permission.MANAGE_USERS] == {Role.ADMINISTRATOR}
    assert Role.RECEPTIONIST not in PERMISSION_MATRIX[Permission.READ_CLINICAL_NOTES]
    assert Role.STATION not in PERMISSION_MATRIX[Permission.CONTROL_MONITORING]


def test_a_receptionist_reads_no_clinical_note_through_any_service(session: Session, data_dir: Path) -> None:
    services = session.services
    note_id = services.record.entries(Section.NOTES, "PAT000001")[0].id  # as system
    session.sign_in(as_role(Role.RECEPTIONIST))
    attempts: list[Callable[[], object]] = [
        lambda: services.record.entries(Section.NOTES, "PAT000001"),
        lambda: services.record.get(Section.NOTES, note_id),
        lambda: services.record.history(Section.NOTES, note_id),
        lambda: record_timeline(services, "PAT000001"),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionError, match="receptionist1"):
            attempt()
    services.patients.note_opened("PAT000001")  # demographics are hers
    close_session(session)
    store = Store(data_dir, read_only=True)
    from hms_desktop.domain.accounts import AccessEvent

    today = datetime.now(UTC)
    events = store.day_log("access", AccessEvent).read(today - timedelta(days=1), today + timedelta(days=1))
    denials = [e for e in events if e.action == DENIED and e.user == "receptionist1"]
    assert len(denials) == len(attempts)
    assert sum("read clinical notes" in e.detail for e in denials) == 3  # the timeline stops at allergies
    assert [e.patient_id for e in events if e.action == OPENED] == ["PAT000001"]
    store.close()


def test_a_station_cannot_open_any_part_of_a_record(session: Session) -> None:
    session.sign_in(as_role(Role.STATION))
    for section in Section:
        with pytest.raises(PermissionError, match="Nurse station|station1"):
            session.services.record.entries(section, "PAT000001")


def test_every_change_is_recorded_as_the_signed_in_user(session: Session, data_dir: Path) -> None:
    session.sign_in(SignedInUser("dr.okafor", "Dr Okafor", frozenset({Role.CLINICIAN})))
    saved = session.services.record.add(Section.ALLERGIES, Allergy(patient_id="PAT000001", substance="Latex", severity="severe"))
    session.services.patients.update("PAT000001", {"address": "1 Analytical Road"})
    close_session(session)
    reopened = open_session(data_dir)
    try:
        assert reopened.services.record.history(Section.ALLERGIES, saved.id)[-1].by == "dr.okafor"
        assert reopened.services.patients.history("PAT000001")[-1].by == "dr.okafor"
    finally:
        close_session(reopened)
