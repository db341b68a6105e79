"""Side-by-side lanes for overlapping blocks and the minute/pixel scale."""

from __future__ import annotations

from datetime import datetime

from hms_desktop.ui.schedule.geometry import Scale, lanes, snap


def t(h: int, m: int = 0) -> datetime:
    return datetime(2026, 3, 2, h, m)


def test_overlaps_share_lanes_and_separate_clusters_reset() -> None:
    spans = [(t(9), t(10)), (t(9, 30), t(10, 30)), (t(10), t(11)), (t(12), t(13))]
    assert lanes(spans) == [(0, 2), (1, 2), (0, 2), (0, 1)]


def test_three_deep_overlap_uses_three_lanes() -> None:
    spans = [(t(9), t(12)), (t(9), t(10)), (t(9, 30), t(10, 30))]
    assert sorted(lanes(spans)) == [(0, 3), (1, 3), (2, 3)]


def test_back_to_back_blocks_stay_full_width() -> None:
    assert lanes([(t(9), t(9, 30)), (t(9, 30), t(10))]) == [(0, 1), (0, 1)]


def test_scale_round_trip_and_snap() -> None:
    scale = Scale(7, 19, 28.0, 720.0)
    assert scale.px_per_minute == 1.0
    assert scale.minutes(scale.y(600)) == 600
    assert snap(602) == 600 and snap(603) == 605
