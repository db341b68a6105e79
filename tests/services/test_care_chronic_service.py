"""ChronicService: one active enrolment, readings, clinic-wide overdue list."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from hms_desktop.domain.chronic import ChronicReading, Enrolment
from hms_desktop.services.bus import EventBus
from hms_desktop.services.chronic import ChronicService
from hms_desktop.storage import Store


@pytest.fixture
def svc(data_dir: Path) -> Iterator[ChronicService]:
    store = Store(data_dir)
    yield ChronicService(store, EventBus())
    store.close()


def enrolment(pid: str, freq: int = 7) -> Enrolment:
    return Enrolment(patient_id=pid, diseases=["Hypertension"], frequency_days=freq,
                     enrolled_on=date(2026, 10, 1), target_systolic_max=140)


def test_single_active_enrolment_and_edit_keeps_history(svc: ChronicService) -> None:
    e = svc.enrol(enrolment("PAT000001"))
    with pytest.raises(ValueError, match="already enrolled"):
        svc.enrol(enrolment("PAT000001"))
    svc.update_enrolment(e.model_copy(update={"frequency_days": 14}))
    assert svc.enrolment_for("PAT000001").frequency_days == 14  # type: ignore[union-attr]
    assert [v.record.frequency_days for v in svc.enrolment_history(e.id)] == [7, 14]
    svc.end_enrolment(e.id)
    assert svc.enrolment_for("PAT000001") is None
    svc.enrol(enrolment("PAT000001"))  # may re-enrol after ending


def test_overdue_uses_latest_reading_per_patient(svc: ChronicService) -> None:
    svc.enrol_many([enrolment("PAT000001"), enrolment("PAT000002"), enrolment("PAT000003", 60)])
    svc.add_readings([
        ChronicReading(patient_id="PAT000001", at=datetime(2026, 11, 20, 9, tzinfo=UTC), systolic=130, diastolic=80),
        ChronicReading(patient_id="PAT000001", at=datetime(2026, 11, 1, 9, tzinfo=UTC), weight_kg=80),
        ChronicReading(patient_id="PAT000002", at=datetime(2026, 11, 10, 9, tzinfo=UTC), glucose_mmol_l=6.1),
    ])
    assert svc.last_reading_dates() == {"PAT000001": date(2026, 11, 20), "PAT000002": date(2026, 11, 10)}
    late = svc.overdue(date(2026, 11, 25))
    assert [(e.patient_id, e.days_late) for e in late] == [("PAT000002", 8)]
    assert [r.at.day for r in svc.readings_for("PAT000001")] == [1, 20]


def test_future_dated_reading_refused(svc: ChronicService) -> None:
    from datetime import timedelta

    with pytest.raises(ValueError, match="in the future"):
        svc.add_reading(ChronicReading(patient_id="PAT000001",
                                       at=datetime.now(UTC) + timedelta(days=3), weight_kg=70))
    assert svc.readings_for("PAT000001") == []
