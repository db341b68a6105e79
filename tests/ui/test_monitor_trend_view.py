"""Trend chart from real day files: points, gaps, alarm markers, range switch and zoom reset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from hms_desktop.domain.monitoring import AlarmEventRow, VitalsRow
from hms_desktop.ui.monitor.trend_view import TrendView
from tests.ui.monitor_helpers import make_station, sync_run

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_trend_shows_days_of_vitals_and_alarm_markers(qtbot, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    store, service, _controller, _sound = make_station(data_dir, beds=1)
    rows = [VitalsRow(at=NOW - timedelta(hours=h), patient_id="PAT000001", bed_id="BED01", session_id="MON000001",
                      spo2=None if h == 5 else 95, pulse_rate=70) for h in range(0, 72)]
    rows.append(VitalsRow(at=NOW - timedelta(hours=1), patient_id="PAT000002", bed_id="BED02",
                          session_id="MON000002", spo2=80, pulse_rate=50))
    service.record_vitals(rows)
    service.record_alarm_events([AlarmEventRow(
        at=NOW - timedelta(hours=2), alarm_id="BED01-spo2_low-1", event="started", kind="spo2_low",
        priority="high", patient_id="PAT000001", bed_id="BED01", started_at=NOW - timedelta(hours=2), peak=84)])
    view = TrendView(service, sync_run, now=lambda: NOW + timedelta(minutes=1))
    qtbot.addWidget(view)
    view.set_patient("PAT000001")
    assert view.points == 24  # hours 0..23: 24 h back from now + 1 min
    x, y = view.spo2_curve.getData()
    assert np.isnan(y).sum() == 1 and np.nanmin(y) == 95  # the gap stays a gap
    assert [a.alarm_id for a in view.alarms] == ["BED01-spo2_low-1"]
    assert len(view.markers.data) == 1
    assert view.status.text() == "24 readings, 1 alarms"
    view.range_box.setCurrentText("7 days")
    assert view.points == 72
    view.plot.getPlotItem().setXRange(NOW.timestamp() - 3600, NOW.timestamp(), padding=0)
    view.reset.click()
    lo, hi = view.plot.getPlotItem().viewRange()[0]
    assert abs(hi - lo - timedelta(days=7, minutes=0).total_seconds()) < 120
    store.close()
