"""Care entries in the patient timeline: observations, referral steps, chronic care, wearables."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from hms_desktop.domain.chronic import ChronicReading, Enrolment
from hms_desktop.domain.observations import Observation
from hms_desktop.domain.referrals import Referral, ReferralStatus
from hms_desktop.domain.wearables import WearableReading
from hms_desktop.services.chronic import chronic_timeline
from hms_desktop.services.container import Services, build_services
from hms_desktop.services.observations import observations_timeline
from hms_desktop.services.referrals import referrals_timeline
from hms_desktop.services.timeline import collect_timeline
from hms_desktop.services.wearables import wearables_timeline
from hms_desktop.storage import Store

PID = "PAT000001"
KINDS = ("Observations", "Referral", "Chronic reading", "Chronic programme", "Wearable")
CARE_SOURCES = [observations_timeline, chronic_timeline, referrals_timeline, wearables_timeline]


@pytest.fixture
def services(data_dir: Path) -> Iterator[Services]:
    store = Store(data_dir)
    yield build_services(store)
    store.close()


def test_care_entries_in_the_timeline(services: Services) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    services.observations.record(Observation(
        patient_id=PID, at=now - timedelta(hours=1), respiration_rate=22, spo2=95, on_oxygen=False,
        systolic=120, diastolic=80, pulse=95, consciousness="alert", temperature=37.0))
    services.observations.record(Observation(patient_id="PAT000002", at=now, pulse=80))
    ref = services.referrals.create(Referral(patient_id=PID, to_department="Cardiology",
                                             reason="Palpitations", referred_by="Dr A",
                                             created_on=date(2026, 11, 1)))
    services.referrals.advance(ref.id, ReferralStatus.SENT, date(2026, 11, 2))
    services.chronic.enrol(Enrolment(patient_id=PID, diseases=["Asthma"], frequency_days=30,
                                     enrolled_on=date(2026, 10, 1)))
    services.chronic.add_reading(ChronicReading(patient_id=PID, at=now - timedelta(days=2),
                                                weight_kg=71.5))
    noon = datetime.combine(now.date(), datetime.min.time(), UTC) + timedelta(hours=12)
    services.wearables.append([
        WearableReading(at=noon - timedelta(minutes=m), patient_id=PID, device_id="ring",
                        heart_rate=60 + m, steps=100) for m in range(3)])

    timeline = collect_timeline(services, PID, CARE_SOURCES, KINDS)
    assert timeline.failed_sources == []
    by_kind: dict[str, list[str]] = {}
    for e in timeline.entries:
        by_kind.setdefault(e.kind, []).append(e.title)
    assert by_kind["Observations"] == ["NEWS2 4 (low)"]
    assert by_kind["Referral"] == ["Referral to Cardiology: sent", "Referral to Cardiology: created"]
    assert by_kind["Chronic reading"] == ["weight 71.5 kg"]
    assert by_kind["Chronic programme"] == ["Enrolled: Asthma"]
    assert by_kind["Wearable"] == ["3 wearable readings (ring)"]
    wearable = next(e for e in timeline.entries if e.kind == "Wearable")
    assert wearable.detail == "HR 60–62, steps 300" and wearable.date_only
    obs = next(e for e in timeline.entries if e.kind == "Observations")
    assert obs.detail == "RR 22, SpO2 95% air, BP 120/80, pulse 95, alert, 37 °C"


def test_filter_by_kind(services: Services) -> None:
    services.observations.record(Observation(patient_id=PID, at=datetime.now(UTC), pulse=70))
    entries = collect_timeline(services, PID, CARE_SOURCES, ["Referral"]).entries
    assert entries == []
    [only] = collect_timeline(services, PID, CARE_SOURCES, ["Observations"]).entries
    assert only.title == "Observations (incomplete set)" and only.detail == "pulse 70"
