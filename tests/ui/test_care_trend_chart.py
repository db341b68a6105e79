"""The shared trend chart: series replace, gaps stay gaps, target bands show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from pytestqt.qtbot import QtBot

from hms_desktop.ui.care.trend_chart import TrendChart

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_series_replaced_and_missing_values_are_gaps(qtbot: QtBot) -> None:
    chart = TrendChart("t_chart", "Glucose", "mmol/L")
    qtbot.addWidget(chart)
    times = [T0 + timedelta(days=i) for i in range(4)]
    chart.set_series("glucose", times, [5.0, None, 6.5, 7.0])
    xs, ys = chart.series("glucose")
    assert list(ys) == [5.0, 6.5, 7.0]
    assert xs[0] == T0.timestamp()
    chart.set_series("glucose", times[:2], [4.0, 4.5])
    assert list(chart.series("glucose")[1]) == [4.0, 4.5]
    assert chart.keys() == ["glucose"]


def test_band_and_fixed_ranges_cover_data_and_band(qtbot: QtBot) -> None:
    chart = TrendChart("t_chart", "BP", "mmHg")
    qtbot.addWidget(chart)
    times = [T0 + timedelta(days=i) for i in range(3)]
    chart.set_series("sys", times, [150, 160, 135])
    chart.set_band("sys", None, 140)
    lo, hi = chart.band("sys")  # type: ignore[misc]
    assert hi == 140 and lo < -1e8
    (x0, x1), (y0, y1) = chart.plot.getViewBox().viewRange()
    assert x0 < times[0].timestamp() and x1 > times[-1].timestamp()
    assert y0 < 135 and y1 > 160
    assert not chart.plot.getViewBox().autoRangeEnabled()[0]
    chart.set_band("sys", None, None)
    assert chart.band("sys") is None


def test_a_year_of_readings_loads_as_arrays(qtbot: QtBot) -> None:
    chart = TrendChart("t_chart", "Heart rate", "/min")
    qtbot.addWidget(chart)
    xs = T0.timestamp() + np.arange(0, 365 * 24 * 12, dtype=np.float64) * 300
    ys = 60 + 10 * np.sin(np.arange(xs.size) / 50)
    chart.set_series("hr", xs, ys)
    assert chart.series("hr")[0].size == xs.size
