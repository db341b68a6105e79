"""The pleth trace per frame: NaN-free numpy views of the sweep buffer, drawn as is."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hms_desktop.monitoring.ring_buffer import SweepBuffer
from hms_desktop.ui.monitor.pleth_view import PlethView


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=45), max_size=30), st.booleans())
def test_segments_are_exactly_the_written_points_outside_the_erase_bar(batches: list[int], clear: bool) -> None:
    buf = SweepBuffer(rate_hz=10, window_s=2, erase_s=0.3)  # 20 points, 3-point erase bar
    for i, n in enumerate(batches):
        buf.extend([0.5] * n)
        if clear and i == len(batches) // 2:
            buf.clear()
    covered = np.zeros(buf.size, dtype=bool)
    for part in buf.segments():
        assert np.isfinite(buf.y[part]).all()
        covered[part] = True
    assert np.array_equal(covered, np.isfinite(buf.y))


def test_a_bad_sample_draws_at_the_baseline_not_a_hole() -> None:
    buf = SweepBuffer(rate_hz=10, window_s=2, erase_s=0.3)
    buf.extend([0.4, float("nan"), float("inf"), 0.6])
    assert buf.y[:4].tolist() == [0.4, 0.0, 0.0, 0.6]


def test_view_draws_the_buffer_from_views_and_skips_idle_frames(qtbot) -> None:  # type: ignore[no-untyped-def]
    buf = SweepBuffer(rate_hz=60, window_s=8)
    view = PlethView(buf, name="test pleth")
    qtbot.addWidget(view)
    view.show()
    for k in range(40):  # 40 batches of 17: wraps the 480-point window
        buf.extend(list(np.linspace(0.1, 0.9, 17)))
        assert view.refresh()
        x, y = view.trace()
        assert np.array_equal(np.isnan(y), np.isnan(buf.y)), f"batch {k}"
        assert np.array_equal(y[np.isfinite(y)], buf.y[np.isfinite(buf.y)])
        for curve in view.curves:
            xs, ys = curve.getData()
            assert np.isfinite(ys).all()  # pyqtgraph's fast connect-all path, no NaN handling
            if len(xs):
                assert np.shares_memory(xs, buf.x) and np.shares_memory(ys, buf.y)  # no copies
    assert not view.refresh()  # nothing new since the last frame: no redraw


def test_the_trace_is_painted_on_both_sides_of_the_erase_bar(qtbot) -> None:  # type: ignore[no-untyped-def]
    """What the nurse sees, in pixels: the curves paint themselves (polyline, fixed bounds)."""
    buf = SweepBuffer(rate_hz=60, window_s=8)  # 480 points, 15-point erase bar
    view = PlethView(buf, name="test pleth")
    qtbot.addWidget(view)
    view.resize(480, 120)
    view.show()
    buf.extend([0.5] * 480)
    buf.extend([0.5] * 240)  # wrapped: written everywhere, the erase bar at points 240..254
    view.refresh()
    image = view.plot.grab().toImage()

    def lit(point: int) -> bool:
        column = round(point / (buf.size - 1) * (image.width() - 1))
        return any(image.pixelColor(column, row).green() > 150 for row in range(image.height()))

    assert lit(60) and lit(230) and lit(270) and lit(420)  # before and after the write position
    assert not lit(247)  # the erase bar stays dark
