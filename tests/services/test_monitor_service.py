"""Monitoring service on a real data folder: beds, limits with history, sessions, alarm history."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pydantic
import pytest

from hms_desktop.domain.alarm_limits import AlarmLimits
from hms_desktop.domain.monitoring import AlarmEventRow, Bed, SessionStatus
from hms_desktop.services.bus import Change, EventBus
from hms_desktop.services.monitoring import MonitoringService
from hms_desktop.storage import Store
from hms_desktop.storage.monitoring import ALARM_LIMITS

T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.fixture
def svc(data_dir: Path) -> Iterator[MonitoringService]:
    store = Store(data_dir, actor="dr.test")
    yield MonitoringService(store, EventBus())
    store.close()


def test_beds_are_saved_in_the_data_folder_in_station_order(svc: MonitoringService, data_dir: Path) -> None:
    seen: list[Change] = []
    svc.bus.subscribe(seen.append)
    svc.add_beds([Bed(id="bed02", name="Bed 2", position=2), Bed(id="BED01", name="Bed 1", position=1)])
    assert [b.id for b in svc.beds()] == ["BED01", "BED02"]
    assert seen[-1].table == "beds"
    svc.store.close()
    reopened = MonitoringService(Store(data_dir), EventBus())
    assert [b.name for b in reopened.beds()] == ["Bed 1", "Bed 2"]
    reopened.store.close()


def test_bad_bed_id_names_the_field(svc: MonitoringService) -> None:
    with pytest.raises(pydantic.ValidationError, match="bed id"):
        Bed(id="bed 1!", name="x")


def test_limits_fall_back_to_clinic_defaults_then_built_in(svc: MonitoringService) -> None:
    assert svc.limits_for("PAT000001").spo2_low == 90
    svc.set_limits("", AlarmLimits(spo2_low=92))
    assert svc.limits_for("PAT000001").spo2_low == 92
    svc.set_limits("PAT000001", AlarmLimits(spo2_low=88, satseconds=50))
    mine = svc.limits_for("PAT000001")
    assert (mine.spo2_low, mine.satseconds, mine.id) == (88, 50, "PAT000001")
    assert svc.limits_for("PAT000002").spo2_low == 92


def test_limit_changes_keep_history_with_who(svc: MonitoringService) -> None:
    svc.set_limits("PAT000001", AlarmLimits(spo2_low=88))
    svc.set_limits("PAT000001", AlarmLimits(spo2_low=85))
    history = svc.store.table(ALARM_LIMITS).history("PAT000001")
    assert [v.record.spo2_low for v in history] == [88, 85]
    assert {v.by for v in history} == {"dr.test"}


def test_invalid_limits_are_refused_with_the_field_named(svc: MonitoringService) -> None:
    with pytest.raises(pydantic.ValidationError, match="pr_low"):
        AlarmLimits(pr_low=130, pr_high=120)
    with pytest.raises(pydantic.ValidationError, match="satseconds"):
        AlarmLimits(satseconds=30)


def test_session_lifecycle_one_live_session_per_bed(svc: MonitoringService) -> None:
    svc.add_beds([Bed(id="BED01", name="Bed 1")])
    s = svc.start_session(bed_id="BED01", patient_id="PAT000001", port="/dev/ttyUSB0", protocol="cms50_v7", now=T0)
    assert s.id == "MON000001" and svc.live_session("BED01") == s
    with pytest.raises(ValueError, match="already monitoring PAT000001"):
        svc.start_session(bed_id="BED01", patient_id="PAT000002")
    with pytest.raises(ValueError, match="no bed"):
        svc.start_session(bed_id="BED99", patient_id="PAT000002")
    assert svc.set_session_status(s.id, SessionStatus.PAUSED).status is SessionStatus.PAUSED
    ended = svc.set_session_status(s.id, SessionStatus.ENDED, now=T0 + timedelta(hours=1))
    assert ended.ended_at == T0 + timedelta(hours=1)
    assert svc.live_session("BED01") is None
    assert [x.id for x in svc.sessions_for("PAT000001")] == ["MON000001"]


def test_alarm_history_folds_events_into_one_record(svc: MonitoringService) -> None:
    common = dict(alarm_id="BED01-spo2_low-1", kind="spo2_low", patient_id="PAT000001", bed_id="BED01",
                  started_at=T0)
    svc.record_alarm_events([
        AlarmEventRow(at=T0, event="started", priority="high", peak=88, **common),  # type: ignore[arg-type]
        AlarmEventRow(at=T0 + timedelta(seconds=20), event="acknowledged", priority="high", peak=84,
                      acknowledged_by="nurse.kim", acknowledged_at=T0 + timedelta(seconds=20), **common),  # type: ignore[arg-type]
        AlarmEventRow(at=T0 + timedelta(seconds=60), event="ended", priority="high", peak=82,
                      ended_at=T0 + timedelta(seconds=60), acknowledged_by="nurse.kim",
                      acknowledged_at=T0 + timedelta(seconds=20), end_reason="cleared", **common),  # type: ignore[arg-type]
    ])
    (rec,) = svc.alarm_history(T0 - timedelta(hours=1), T0 + timedelta(hours=1))
    assert (rec.peak, rec.acknowledged_by, rec.end_reason) == (82, "nurse.kim", "cleared")
    assert rec.ended_at == T0 + timedelta(seconds=60)
    assert svc.alarm_history(T0 - timedelta(hours=1), T0 + timedelta(hours=1), patient_id="PAT000002") == []
