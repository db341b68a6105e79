"""Chronic care and wearables are guarded like every other service: a role without the
permission is refused through the service, whoever calls it, and each refusal is in the
access log (read back from the files after reopening the folder)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from hms_desktop.domain.accounts import AccessEvent, Permission, Role
from hms_desktop.domain.chronic import ChronicReading, Enrolment
from hms_desktop.domain.patient import Patient
from hms_desktop.domain.wearables import WearableReading
from hms_desktop.services.access_control import DENIED
from hms_desktop.services.session import Session, close_session, open_session
from hms_desktop.storage import Store
from tests.accounts.test_accounts_enforcement import as_role


@pytest.fixture
def session(data_dir: Path) -> Iterator[Session]:
    """One patient enrolled in the programme with one wearable reading, written as ``system``."""
    opened = open_session(data_dir)
    services = opened.services
    pid = services.patients.register(Patient(given_name="Ada", family_name="Lovelace",
                                             date_of_birth=date(1980, 1, 2))).id
    services.chronic.enrol(Enrolment(patient_id=pid, diseases=["diabetes"], enrolled_on=date.today(),
                                     frequency_days=30))
    services.wearables.append([WearableReading(at=datetime.now(UTC) - timedelta(hours=1),
                                               patient_id=pid, device_id="w1", heart_rate=70)])
    yield opened
    close_session(opened)


def _attempts(session: Session, csv_file: Path) -> list[tuple[Permission, Callable[[], object]]]:
    services, pid, today = session.services, "PAT000001", date.today()
    reading = ChronicReading(patient_id=pid, at=datetime.now(UTC) - timedelta(minutes=5), glucose_mmol_l=6.1)
    return [
        (Permission.VIEW_RECORD, lambda: services.chronic.readings_for(pid)),
        (Permission.VIEW_RECORD, lambda: services.chronic.enrolment_for(pid)),
        (Permission.VIEW_RECORD, lambda: services.chronic.overdue(today)),
        (Permission.RECORD_OBSERVATIONS, lambda: services.chronic.add_reading(reading)),
        (Permission.EDIT_RECORD, lambda: services.chronic.enrol(Enrolment(
            patient_id=pid, diseases=["asthma"], enrolled_on=today, frequency_days=30))),
        (Permission.VIEW_RECORD, lambda: services.wearables.series_for(pid, today, today)),
        (Permission.VIEW_RECORD, lambda: services.wearables.readings_for(pid, today, today)),
        (Permission.RECORD_OBSERVATIONS, lambda: services.wearables.import_csv(
            csv_file, {"at": 0, "heart_rate": 1}, patient_id=pid)),
    ]


def test_a_receptionist_is_refused_chronic_care_and_wearables_and_each_refusal_is_logged(
        session: Session, data_dir: Path, tmp_path: Path) -> None:
    csv_file = tmp_path / "watch.csv"
    csv_file.write_text("time,hr\n2026-01-01T10:00:00Z,71\n", encoding="utf-8")
    session.sign_in(as_role(Role.RECEPTIONIST))
    attempts = _attempts(session, csv_file)
    for permission, attempt in attempts:
        with pytest.raises(PermissionError, match=f"receptionist1.*{permission.value}"):
            attempt()
    close_session(session)

    store = Store(data_dir, read_only=True)
    now = datetime.now(UTC)
    events = store.day_log("access", AccessEvent).read(now - timedelta(days=1), now + timedelta(days=1))
    denials = [e for e in events if e.action == DENIED and e.user == "receptionist1"]
    assert [e.detail.split(":")[0] for e in denials] == [p.value for p, _ in attempts]
    assert all(e.patient_id == "PAT000001" for e in denials if "overdue" not in e.detail)
    store.close()


def test_a_nurse_reads_and_records_but_cannot_enrol(session: Session) -> None:
    session.sign_in(as_role(Role.NURSE))
    services, pid = session.services, "PAT000001"
    assert services.chronic.enrolment_for(pid) is not None
    services.chronic.add_reading(ChronicReading(patient_id=pid, at=datetime.now(UTC) - timedelta(minutes=5),
                                                glucose_mmol_l=6.1))
    assert len(services.chronic.readings_for(pid)) == 1
    assert len(services.wearables.readings_for(pid, date.today() - timedelta(days=1), date.today())) == 1
    with pytest.raises(PermissionError, match="edit record"):
        services.chronic.end_enrolment("ENR000001")


def test_the_device_feed_records_wearables_whoever_is_signed_in(session: Session) -> None:
    session.sign_in(as_role(Role.RECEPTIONIST))
    appended = session.services.wearables.append([WearableReading(
        at=datetime.now(UTC), patient_id="PAT000001", device_id="w1", heart_rate=72)])
    assert appended == 1
