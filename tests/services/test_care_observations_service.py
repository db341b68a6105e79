"""ObservationService on a real data folder: saves, scale 2, ranges table, live NEWS2."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from hms_desktop.domain.clinical_ranges import ClinicalRange
from hms_desktop.domain.news2 import Consciousness
from hms_desktop.domain.observations import Observation
from hms_desktop.services.bus import Change, EventBus
from hms_desktop.services.observations import ObservationService
from hms_desktop.storage import Store

T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
FULL = dict(patient_id="PAT000001", respiration_rate=16, spo2=97, on_oxygen=False,
            systolic=120, diastolic=80, pulse=70, consciousness="alert", temperature=37.0)


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    s = Store(data_dir, actor="nurse1")
    yield s
    s.close()


def test_record_is_on_disk_and_published(store: Store, data_dir: Path) -> None:
    bus = EventBus()
    seen: list[Change] = []
    bus.subscribe(seen.append)
    svc = ObservationService(store, bus)
    saved = svc.record(Observation(at=T0, **FULL))
    assert saved.id == "OBS000001"
    assert seen[-1] == Change(table="observations", ids=("OBS000001",), op="insert")
    store.close()
    again = Store(data_dir)
    try:
        reloaded = ObservationService(again, EventBus()).latest_for("PAT000001")
        assert reloaded == saved
    finally:
        again.close()


def test_invalid_set_writes_nothing(store: Store) -> None:
    svc = ObservationService(store, EventBus())
    with pytest.raises(ValidationError):
        svc.record(Observation.model_construct(at=T0, **{**FULL, "pulse": 400, "consciousness": Consciousness.ALERT}))
    assert svc.list_for("PAT000001") == []


def test_latest_and_list_order(store: Store) -> None:
    svc = ObservationService(store, EventBus())
    svc.record(Observation(at=T0 + timedelta(hours=2), **FULL))
    svc.record(Observation(at=T0, **{**FULL, "pulse": 99}))
    assert [o.pulse for o in svc.list_for("PAT000001")] == [99, 70]
    assert svc.latest_for("PAT000001").at == T0 + timedelta(hours=2)  # type: ignore[union-attr]
    assert svc.latest_for("PAT000999") is None


def test_scale2_flag_is_stored_with_each_set(store: Store) -> None:
    svc = ObservationService(store, EventBus())
    o2 = {**FULL, "spo2": 97, "on_oxygen": True}
    first = svc.record(Observation(at=T0, **o2))
    with pytest.raises(ValueError, match="reason"):
        svc.set_scale2("PAT000001", True)
    svc.set_scale2("PAT000001", True, reason="confirmed hypercapnic failure", set_by="Dr X")
    assert svc.is_scale2("PAT000001") and not svc.is_scale2("PAT000002")
    second = svc.record(Observation(at=T0 + timedelta(hours=1), **o2))
    assert (first.spo2_scale, second.spo2_scale) == (1, 2)
    assert first.news2().aggregate == 2 and second.news2().aggregate == 5  # type: ignore[union-attr]
    svc.set_scale2("PAT000001", False)
    assert not svc.is_scale2("PAT000001")


def test_news2_for_uses_latest_complete_set_and_live_values(store: Store) -> None:
    svc = ObservationService(store, EventBus())
    assert svc.news2_for("PAT000001") is None
    svc.record(Observation(at=T0, **FULL))
    svc.record(Observation(at=T0 + timedelta(hours=1), patient_id="PAT000001", pulse=80))
    assert svc.news2_for("PAT000001").aggregate == 0  # type: ignore[union-attr]
    live = svc.news2_for("PAT000001", live_spo2=91, live_pulse=135)
    assert live is not None
    assert live.sub_scores["spo2"] == 3 and live.sub_scores["pulse"] == 3 and live.aggregate == 6


def test_ranges_seeded_editable_and_checked(store: Store, data_dir: Path) -> None:
    svc = ObservationService(store, EventBus())
    assert (data_dir / "clinical_ranges.csv").exists() or (data_dir / "clinical_ranges.journal.csv").exists()
    pulse = next(r for r in svc.ranges() if r.id == "pulse")
    assert svc.warnings_for(Observation(at=T0, **{**FULL, "pulse": 120})) == [
        "Pulse 120 /min is above the range (90 /min)"]
    svc.update_range(pulse.model_copy(update={"high": 130}))
    assert svc.warnings_for(Observation(at=T0, **{**FULL, "pulse": 120})) == []
    with pytest.raises(ValueError, match="outside the physiological limits"):
        svc.update_range(ClinicalRange(id="pulse", label="Pulse", unit="/min", low=10, high=130))
    # A second service on the same store does not seed twice.
    assert len(ObservationService(store, EventBus()).ranges()) == len(svc.ranges())


def test_live_news2_follows_new_sets_and_scale_changes(store: Store) -> None:
    svc = ObservationService(store, EventBus())
    svc.record(Observation(at=T0, **FULL))
    assert svc.news2_for("PAT000001").aggregate == 0  # type: ignore[union-attr]
    assert svc.latest_for("PAT000001").temperature == 37.0  # type: ignore[union-attr]
    svc.record(Observation(at=T0 + timedelta(hours=1), **{**FULL, "temperature": 39.5}))
    assert svc.latest_for("PAT000001").temperature == 39.5  # type: ignore[union-attr]
    assert svc.news2_for("PAT000001").aggregate == 2  # type: ignore[union-attr]
    svc.record_many([Observation(at=T0 + timedelta(hours=2), **{**FULL, "spo2": 97, "on_oxygen": True})])
    assert svc.latest_complete_for("PAT000001").on_oxygen is True  # type: ignore[union-attr]
    assert svc.news2_for("PAT000001").aggregate == 2  # type: ignore[union-attr]
    svc.set_scale2("PAT000001", True, reason="COPD")
    assert svc.news2_for("PAT000001").aggregate == 5  # type: ignore[union-attr]


def test_future_dated_set_refused(store: Store) -> None:
    svc = ObservationService(store, EventBus())
    later = datetime.now(UTC) + timedelta(days=1)
    with pytest.raises(ValueError, match="time: observation set dated .* is in the future"):
        svc.record(Observation(at=later, **FULL))
    assert svc.list_for("PAT000001") == []
    svc.record(Observation(at=datetime.now(UTC) + timedelta(minutes=2), **FULL))  # clock skew
