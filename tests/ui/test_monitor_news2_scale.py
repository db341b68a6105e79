"""The bedside NEWS2 scores SpO2 on the scale the clinician chose, with or without a manual set."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from hms_desktop.domain.live_news2 import live_news2
from hms_desktop.services.container import build_services
from hms_desktop.storage import Store
from hms_desktop.ui.monitor.news2_inputs import manual_lookup_for


def test_scale_2_applies_before_any_manual_observation(data_dir: Path) -> None:
    store = Store(data_dir)
    services = build_services(store)
    lookup = manual_lookup_for(services)
    now = datetime.now(UTC)
    assert live_news2(now=now, live_spo2=90, live_pulse=70, manual=lookup("PAT000001")).parts["spo2"] == 3
    services.observations.set_scale2("PAT000001", True, reason="COPD with hypercapnia", set_by="dr.lee")
    scored = live_news2(now=now, live_spo2=90, live_pulse=70, manual=lookup("PAT000001"))
    assert scored.parts["spo2"] == 0  # 88-92 % is the target on scale 2
    assert "respiration_rate" in scored.missing and not scored.stale  # nothing invented
    store.close()
