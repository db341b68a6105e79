"""Monitoring files on disk: human-readable day files and trend series with real gaps."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hms_desktop.domain.monitoring import VitalsRow
from hms_desktop.storage import Store
from hms_desktop.storage.monitoring import MonitoringStore

T0 = datetime(2026, 11, 25, 23, 59, 58, tzinfo=UTC)


def test_vitals_go_to_day_files_and_trend_keeps_gaps(data_dir: Path) -> None:
    store = Store(data_dir)
    data = MonitoringStore.open(store)
    rows = [VitalsRow(at=T0 + timedelta(seconds=i), patient_id=p, bed_id="BED01", session_id="MON000001",
                      spo2=s, pulse_rate=70 + i, flags=f)
            for i, (p, s, f) in enumerate([("PAT000001", 97, []), ("PAT000001", None, ["finger_out"]),
                                           ("PAT000002", 80, []), ("PAT000001", 95, [])])]
    data.vitals.append(rows)
    # midnight splits the batch over two human-readable day files
    assert sorted(p.name for p in (data_dir / "vitals").glob("*.csv")) == ["2026-11-25.csv", "2026-11-26.csv"]
    first = (data_dir / "vitals" / "2026-11-25.csv").read_text(encoding="utf-8-sig").splitlines()
    assert first[0].startswith("at,patient_id,bed_id,session_id,spo2,pulse_rate")
    t, spo2, pr = data.vitals_series("PAT000001", T0 - timedelta(hours=1), T0 + timedelta(hours=1))
    assert len(t) == 3 and t[0] == T0.timestamp()
    assert spo2[0] == 97 and math.isnan(spo2[1]) and spo2[2] == 95
    assert pr == [70, 71, 73]
    store.close()
