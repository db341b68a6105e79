"""Live NEWS2: band edges, live values replacing manual ones, staleness and incompleteness."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hms_desktop.domain.live_news2 import ManualObservation, live_news2

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def full(**kw: object) -> ManualObservation:
    base: dict[str, object] = dict(at=NOW - timedelta(minutes=30), respiration_rate=16,
                                   systolic_bp=120, temperature=37.0, consciousness="alert",
                                   on_oxygen=False)
    base.update(kw)
    return ManualObservation(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(("rr", "points"), [(8, 3), (9, 1), (11, 1), (12, 0), (20, 0), (21, 2), (24, 2), (25, 3)])
def test_respiration_band_edges(rr: int, points: int) -> None:
    r = live_news2(now=NOW, live_spo2=97, live_pulse=70, manual=full(respiration_rate=rr))
    assert r.parts["respiration_rate"] == points


@pytest.mark.parametrize(("spo2", "points"), [(91, 3), (92, 2), (93, 2), (94, 1), (95, 1), (96, 0)])
def test_spo2_scale1_edges_from_the_live_value(spo2: int, points: int) -> None:
    r = live_news2(now=NOW, live_spo2=spo2, live_pulse=70, manual=full(spo2=99))
    assert r.parts["spo2"] == points


@pytest.mark.parametrize(("spo2", "oxygen", "points"), [
    (83, True, 3), (84, True, 2), (86, True, 1), (88, True, 0), (92, True, 0), (93, True, 1),
    (95, True, 2), (97, True, 3), (93, False, 0), (99, False, 0)])
def test_spo2_scale2(spo2: int, oxygen: bool, points: int) -> None:
    r = live_news2(now=NOW, live_spo2=spo2, live_pulse=70, manual=full(on_oxygen=oxygen), scale2=True)
    assert r.parts["spo2"] == points


@pytest.mark.parametrize(("pulse", "points"), [(40, 3), (41, 1), (50, 1), (51, 0), (90, 0), (91, 1),
                                               (110, 1), (111, 2), (130, 2), (131, 3)])
def test_pulse_edges(pulse: int, points: int) -> None:
    assert live_news2(now=NOW, live_spo2=97, live_pulse=pulse, manual=full()).parts["pulse"] == points


@pytest.mark.parametrize(("sbp", "points"), [(90, 3), (91, 2), (100, 2), (101, 1), (110, 1), (111, 0), (219, 0), (220, 3)])
def test_systolic_edges(sbp: int, points: int) -> None:
    assert live_news2(now=NOW, live_spo2=97, live_pulse=70, manual=full(systolic_bp=sbp)).parts["systolic_bp"] == points


@pytest.mark.parametrize(("temp", "points"), [(35.0, 3), (35.1, 1), (36.0, 1), (36.1, 0), (38.0, 0), (38.1, 1), (39.0, 1), (39.1, 2)])
def test_temperature_edges(temp: float, points: int) -> None:
    assert live_news2(now=NOW, live_spo2=97, live_pulse=70, manual=full(temperature=temp)).parts["temperature"] == points


def test_complete_fresh_score_and_risk() -> None:
    r = live_news2(now=NOW, live_spo2=93, live_pulse=115, manual=full(on_oxygen=True, respiration_rate=22))
    # spo2 2 + pulse 2 + oxygen 2 + rr 2 = 8
    assert r.score == 8 and r.complete and r.risk == "high" and r.text == "NEWS2 8"


def test_old_manual_inputs_are_stale_and_the_score_incomplete() -> None:
    manual = full(at=NOW - timedelta(hours=5), respiration_rate=26)
    r = live_news2(now=NOW, live_spo2=97, live_pulse=70, manual=manual, max_age=timedelta(hours=4))
    assert r.stale == {"respiration_rate", "systolic_bp", "temperature", "consciousness", "air_or_oxygen"}
    assert not r.complete
    assert r.text == "NEWS2 partial ≥3 — older than 4 h: RR, air/O2, BP, ACVPU, temp"
    assert r.parts["respiration_rate"] == 3  # still shown, flagged stale
    assert r.risk == "low-medium"


def test_no_manual_observation_scores_only_live_values_and_names_the_missing() -> None:
    r = live_news2(now=NOW, live_spo2=90, live_pulse=135, manual=None)
    assert r.score == 6 and r.missing == {"respiration_rate", "systolic_bp", "temperature",
                                          "consciousness", "air_or_oxygen"}
    assert not r.complete


def test_manual_spo2_used_and_aged_when_no_live_value() -> None:
    r = live_news2(now=NOW, live_spo2=None, live_pulse=None,
                   manual=full(at=NOW - timedelta(hours=6), spo2=95, pulse=80))
    assert r.parts["spo2"] == 1 and "spo2" in r.stale and "pulse" in r.stale


def test_new_confusion_scores_three() -> None:
    r = live_news2(now=NOW, live_spo2=97, live_pulse=70, manual=full(consciousness="confusion"))
    assert r.parts["consciousness"] == 3 and r.any_three
