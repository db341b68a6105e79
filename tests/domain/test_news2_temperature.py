"""NEWS2 temperature scored as the nurse typed it (issue 11 item 13).

Oracle: the RCP NEWS2 chart (2017) in 0.1 °C steps — ≤35.0 → 3, 35.1–36.0 → 1,
36.1–38.0 → 0, 38.1–39.0 → 1, ≥39.1 → 2. A value typed with two decimals lies between two
chart steps; it is taken to one decimal with halves rounded up (38.05 is 38.1), which is
what a nurse does reading the chart. Written from the chart, not from the code.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from hms_desktop.domain.live_news2 import ManualObservation, live_news2
from hms_desktop.domain.news2 import TEMPERATURE_DECIMALS, score_news2, score_temperature

# (value, score): every band edge, one chart step (0.1) either side, and the halves between.
CHART = [
    (34.9, 3), (35.0, 3), (35.1, 1),
    (35.9, 1), (36.0, 1), (36.1, 0),
    (37.9, 0), (38.0, 0), (38.1, 1),
    (38.9, 1), (39.0, 1), (39.1, 2), (39.2, 2),
]
HALVES = [
    (35.04, 3), (35.05, 1),  # 35.05 → 35.1
    (36.04, 1), (36.05, 0),  # 36.05 → 36.1
    (38.04, 0), (38.05, 1),  # the reported bug: scored 0
    (39.04, 1), (39.05, 2),  # the reported bug: scored 1
    (36.95, 0), (37.45, 0),
]


@pytest.mark.parametrize(("celsius", "score"), CHART + HALVES)
def test_temperature_band_edges_and_halves(celsius: float, score: int) -> None:
    assert score_temperature(celsius) == score


@pytest.mark.parametrize(("text", "score"), [("38.05", 1), ("39.05", 2), ("38.049", 0)])
def test_temperature_as_decimal_text(text: str, score: int) -> None:
    assert score_temperature(Decimal(text)) == score


def test_aggregate_and_live_score_use_the_same_rounding() -> None:
    full = score_news2(respiration_rate=16, spo2=97, on_oxygen=False, systolic=120, pulse=70,
                       consciousness="alert", temperature=39.05)
    assert full.sub_scores["temperature"] == 2
    from datetime import UTC, datetime

    now = datetime(2026, 1, 1, tzinfo=UTC)
    live = live_news2(now=now, live_spo2=None, live_pulse=None,
                      manual=ManualObservation(at=now, temperature=38.05))
    assert live.parts["temperature"] == 1


def test_one_decimal_is_kept() -> None:
    assert TEMPERATURE_DECIMALS == 1
