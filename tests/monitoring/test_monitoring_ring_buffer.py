"""Sweep and trend buffers: fixed time base, wrap-around, erase bar, gaps kept as NaN."""

from __future__ import annotations

import numpy as np

from hms_desktop.monitoring.ring_buffer import SweepBuffer, TrendBuffer


def test_sweep_writes_in_place_and_blanks_ahead_of_the_write_position() -> None:
    buf = SweepBuffer(rate_hz=10, window_s=2, erase_s=0.3)  # 20 points, 3-point erase bar
    assert buf.x[0] == 0 and buf.x[-1] == 1.9 and buf.x.dtype == np.float64
    buf.extend([0.1] * 15)
    assert buf.pos == 15 and np.all(buf.y[:15] == 0.1) and np.isnan(buf.y[15:18]).all()
    buf.extend([0.9] * 8)  # wraps: 5 at the end, 3 at the start
    assert buf.pos == 3
    assert np.all(buf.y[15:20] == 0.9) and np.all(buf.y[0:3] == 0.9)
    assert np.isnan(buf.y[3:6]).all() and np.all(buf.y[6:15] == 0.1)
    assert buf.latest() == 0.9 and buf.total == 23


def test_sweep_keeps_only_the_newest_window_of_a_huge_batch() -> None:
    buf = SweepBuffer(rate_hz=10, window_s=1, erase_s=0.1)
    buf.extend([float(i) for i in range(35)])
    assert buf.latest() == 34.0
    assert np.nansum(~np.isnan(buf.y)) == 9  # window minus the erase bar
    x_before = buf.x.copy()
    buf.extend([1.0])
    assert np.array_equal(buf.x, x_before)  # the time base never moves


def test_trend_one_point_a_second_with_gaps_and_wrap() -> None:
    tr = TrendBuffer(capacity=3)
    tr.add(100.2, 97, 70)
    tr.add(100.8, 96, 71)  # same second: replaces
    tr.add(101.0, None, 72)
    tr.add(102.0, 95, None)
    tr.add(103.0, 94, 75)  # wraps: 100 falls out
    t, s, p = tr.arrays()
    assert t.tolist() == [101.0, 102.0, 103.0]
    assert np.isnan(s[0]) and s[1:].tolist() == [95.0, 94.0]
    assert np.isnan(p[1]) and p[0] == 72
