"""Demo monitoring data goes through the service: beds, ended sessions, vitals and an alarm each."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hms_desktop.services.container import build_services
from hms_desktop.services.demo import monitoring
from hms_desktop.storage import Store


@pytest.mark.slow
def test_demo_generates_beds_sessions_vitals_and_alarms(data_dir: Path) -> None:
    store = Store(data_dir)
    services = build_services(store)
    steps: list[float] = []
    monitoring.generate(services, random.Random(1), patients=3, progress=lambda s, f: steps.append(f))
    svc = services.monitoring
    assert len(svc.beds()) == 8 and steps[-1] == 1.0
    now = datetime.now(UTC)
    for n in range(1, 4):
        pid = f"PAT{n:06d}"
        (session,) = svc.sessions_for(pid)
        assert session.status == "ended"
        t, spo2, pr = svc.trend(pid, now - timedelta(days=5), now)
        assert len(t) == monitoring.SESSION_S
        assert min(spo2) < 90 < max(spo2)  # the desaturation is in the data
    alarms = svc.alarm_history(now - timedelta(days=5), now)
    assert len(alarms) == 3 and all(a.ended_at and a.acknowledged_by == "demo.nurse" for a in alarms)
    assert svc.live_session(monitoring.LIVE_BED) is None  # every demo patient had a past session
    # a second run adds sessions but not duplicate beds
    monitoring.generate(services, random.Random(2), patients=1, progress=lambda s, f: None)
    assert len(svc.beds()) == 8
    store.close()


@pytest.mark.slow
def test_demo_ward_has_one_bed_live_on_the_demo_device(data_dir: Path) -> None:
    store = Store(data_dir)
    services = build_services(store)
    monitoring.generate(services, random.Random(1), patients=10, progress=lambda s, f: None)
    live = services.monitoring.live_session(monitoring.LIVE_BED)
    assert live is not None and live.port == "Demo device" and live.patient_id == "PAT000005"
    store.close()
