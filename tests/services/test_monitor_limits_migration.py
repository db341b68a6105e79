"""Alarm limits saved before critical limits existed open with sensible critical limits."""

from __future__ import annotations

import json
from pathlib import Path

from hms_desktop.services.bus import EventBus
from hms_desktop.services.monitoring import MonitoringService
from hms_desktop.storage import Store

V1_HEADER = ("id,spo2_low,pr_low,pr_high,spo2_priority,pr_priority,spo2_delay_s,pr_delay_s,satseconds,"
             "spo2_hysteresis,pr_hysteresis,clear_after_s,technical_delay_s,latching,escalate_after_s,note")


def test_version_1_limits_get_default_critical_limits_where_they_fit(data_dir: Path) -> None:
    (data_dir / "alarm_limits.csv").write_text(
        V1_HEADER + "\n"
        "PAT000001,88,50,120,high,medium,10,10,25,2,5,5,10,false,120,\n"
        "PAT000002,84,38,160,high,medium,10,10,25,2,5,5,10,true,120,COPD target 88-92\n", encoding="utf-8")
    store = Store(data_dir)
    service = MonitoringService(store, EventBus())
    usual, copd = service.limits_for("PAT000001"), service.limits_for("PAT000002")
    assert (usual.spo2_critical, usual.pr_critical_low, usual.pr_critical_high, usual.spo2_high) == (85, 40, 150, None)
    # 85 % is not below an 84 % limit, 40 not below 38, 150 not above 160: those stay off
    assert (copd.spo2_critical, copd.pr_critical_low, copd.pr_critical_high) == (None, None, None)
    assert copd.latching and copd.note == "COPD target 88-92"
    store.close()
    reopened = Store(data_dir)
    assert MonitoringService(reopened, EventBus()).limits_for("PAT000002").spo2_low == 84
    reopened.close()
    manifest = json.loads((data_dir / "manifest.json").read_text(encoding="utf-8-sig"))
    assert manifest["tables"]["alarm_limits"]["schema_version"] == 2
