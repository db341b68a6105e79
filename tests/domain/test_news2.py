"""NEWS2 against the RCP 2017 chart: every band edge of every parameter, both SpO2 scales."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hms_desktop.domain.news2 import (
    Consciousness,
    Risk,
    response_for,
    score_air_or_oxygen,
    score_consciousness,
    score_news2,
    score_pulse,
    score_respiration,
    score_spo2,
    score_systolic,
    score_temperature,
)

# Each edge pair: the last value of one band and the first of the next (docs/clinical.md).


@pytest.mark.parametrize(("rate", "score"), [
    (0, 3), (8, 3), (9, 1), (11, 1), (12, 0), (20, 0), (21, 2), (24, 2), (25, 3), (60, 3),
])
def test_respiration_rate_bands(rate: int, score: int) -> None:
    assert score_respiration(rate) == score


@pytest.mark.parametrize(("spo2", "score"), [
    (50, 3), (91, 3), (92, 2), (93, 2), (94, 1), (95, 1), (96, 0), (100, 0),
])
@pytest.mark.parametrize("on_oxygen", [False, True])
def test_spo2_scale1_bands_ignore_oxygen(spo2: int, score: int, on_oxygen: bool) -> None:
    assert score_spo2(spo2, on_oxygen=on_oxygen, scale2=False) == score


@pytest.mark.parametrize(("spo2", "score"), [
    (50, 3), (83, 3), (84, 2), (85, 2), (86, 1), (87, 1), (88, 0), (92, 0),
])
@pytest.mark.parametrize("on_oxygen", [False, True])
def test_spo2_scale2_low_bands_same_on_air_and_oxygen(spo2: int, score: int, on_oxygen: bool) -> None:
    assert score_spo2(spo2, on_oxygen=on_oxygen, scale2=True) == score


@pytest.mark.parametrize("spo2", [93, 94, 95, 96, 97, 100])
def test_spo2_scale2_high_values_on_air_score_zero(spo2: int) -> None:
    assert score_spo2(spo2, on_oxygen=False, scale2=True) == 0


@pytest.mark.parametrize(("spo2", "score"), [
    (92, 0), (93, 1), (94, 1), (95, 2), (96, 2), (97, 3), (100, 3),
])
def test_spo2_scale2_high_values_on_oxygen_score(spo2: int, score: int) -> None:
    assert score_spo2(spo2, on_oxygen=True, scale2=True) == score


def test_air_or_oxygen() -> None:
    assert score_air_or_oxygen(False) == 0
    assert score_air_or_oxygen(True) == 2


@pytest.mark.parametrize(("systolic", "score"), [
    (40, 3), (90, 3), (91, 2), (100, 2), (101, 1), (110, 1), (111, 0), (219, 0), (220, 3), (300, 3),
])
def test_systolic_bands(systolic: int, score: int) -> None:
    assert score_systolic(systolic) == score


@pytest.mark.parametrize(("pulse", "score"), [
    (20, 3), (40, 3), (41, 1), (50, 1), (51, 0), (90, 0), (91, 1), (110, 1), (111, 2), (130, 2),
    (131, 3), (250, 3),
])
def test_pulse_bands(pulse: int, score: int) -> None:
    assert score_pulse(pulse) == score


@pytest.mark.parametrize(("level", "score"), [
    (Consciousness.ALERT, 0), (Consciousness.CONFUSION, 3), (Consciousness.VOICE, 3),
    (Consciousness.PAIN, 3), (Consciousness.UNRESPONSIVE, 3), ("alert", 0), ("pain", 3),
])
def test_consciousness(level: Consciousness, score: int) -> None:
    assert score_consciousness(level) == score


@pytest.mark.parametrize(("celsius", "score"), [
    (30.0, 3), (35.0, 3), (35.1, 1), (36.0, 1), (36.1, 0), (38.0, 0), (38.1, 1), (39.0, 1),
    (39.1, 2), (42.0, 2),
    (35.04, 3), (36.04, 1), (38.04, 0),  # readings finer than 0.1 °C round onto the chart
])
def test_temperature_bands(celsius: float, score: int) -> None:
    assert score_temperature(celsius) == score


NORMAL = dict(respiration_rate=16, spo2=97, on_oxygen=False, systolic=120, pulse=70,
              consciousness="alert", temperature=37.0)


def test_all_normal_scores_zero_routine() -> None:
    result = score_news2(**NORMAL)
    assert result.aggregate == 0
    assert result.sub_scores == dict.fromkeys(result.sub_scores, 0)
    assert result.risk is Risk.LOW
    assert result.monitoring == "at least 12-hourly"
    assert result.response == "routine"
    assert result.scale == 1


def test_sub_scores_add_up_to_aggregate() -> None:
    result = score_news2(**{**NORMAL, "respiration_rate": 22, "pulse": 115, "temperature": 38.5})
    assert result.sub_scores["respiration_rate"] == 2
    assert result.sub_scores["pulse"] == 2
    assert result.sub_scores["temperature"] == 1
    assert result.aggregate == 5
    assert result.risk is Risk.MEDIUM
    assert result.response == "urgent response"


def test_single_parameter_three_raises_low_to_low_medium() -> None:
    result = score_news2(**{**NORMAL, "consciousness": Consciousness.CONFUSION})
    assert result.aggregate == 3
    assert result.any_three
    assert result.risk is Risk.LOW_MEDIUM
    assert result.monitoring == "at least hourly"
    assert result.response == "nurse informs the medical team"


def test_scale2_on_oxygen_over_target_scores_spo2_and_oxygen() -> None:
    result = score_news2(**{**NORMAL, "spo2": 97, "on_oxygen": True}, scale2=True)
    assert result.scale == 2
    assert result.sub_scores["spo2"] == 3
    assert result.sub_scores["air_or_oxygen"] == 2
    assert result.aggregate == 5
    scale1 = score_news2(**{**NORMAL, "spo2": 97, "on_oxygen": True})
    assert scale1.sub_scores["spo2"] == 0 and scale1.aggregate == 2


@pytest.mark.parametrize(("aggregate", "any_three", "risk", "response"), [
    (0, False, Risk.LOW, "routine"),
    (1, False, Risk.LOW, "registered nurse assesses"),
    (4, False, Risk.LOW, "registered nurse assesses"),
    (3, True, Risk.LOW_MEDIUM, "nurse informs the medical team"),
    (4, True, Risk.LOW_MEDIUM, "nurse informs the medical team"),
    (5, False, Risk.MEDIUM, "urgent response"),
    (6, True, Risk.MEDIUM, "urgent response"),
    (7, False, Risk.HIGH, "emergency response, critical-care team"),
    (20, True, Risk.HIGH, "emergency response, critical-care team"),
])
def test_aggregate_response_bands(aggregate: int, any_three: bool, risk: Risk, response: str) -> None:
    result = response_for(aggregate, any_three=any_three)
    assert result.risk is risk
    assert result.response == response


def test_high_monitoring_is_continuous() -> None:
    assert response_for(7, any_three=False).monitoring == "continuous"
    assert response_for(1, any_three=False).monitoring == "at least 4-6-hourly"


@given(rr=st.integers(0, 80), spo2=st.integers(0, 100), o2=st.booleans(),
       sbp=st.integers(40, 300), pulse=st.integers(20, 300),
       acvpu=st.sampled_from(list(Consciousness)), temp=st.floats(25, 45), scale2=st.booleans())
def test_any_physiological_set_scores_consistently(rr: int, spo2: int, o2: bool, sbp: int,
                                                   pulse: int, acvpu: Consciousness, temp: float,
                                                   scale2: bool) -> None:
    r = score_news2(respiration_rate=rr, spo2=spo2, on_oxygen=o2, systolic=sbp, pulse=pulse,
                    consciousness=acvpu, temperature=temp, scale2=scale2)
    assert r.aggregate == sum(r.sub_scores.values())
    assert all(0 <= v <= 3 for v in r.sub_scores.values())
    expected = (Risk.HIGH if r.aggregate >= 7 else Risk.MEDIUM if r.aggregate >= 5
                else Risk.LOW_MEDIUM if r.any_three else Risk.LOW)
    assert r.risk is expected


def test_sub_score_by_name_matches_the_chart() -> None:
    from hms_desktop.domain.news2 import sub_score

    assert sub_score("respiration_rate", 25) == 3
    assert sub_score("spo2", 97, on_oxygen=True, scale2=True) == 3
    assert sub_score("spo2", 97, on_oxygen=True) == 0
    assert sub_score("air_or_oxygen", True) == 2
    assert sub_score("systolic", 220) == 3
    assert sub_score("pulse", 41) == 1
    assert sub_score("consciousness", "Voice") == 3
    assert sub_score("temperature", 39.1) == 2
    with pytest.raises(ValueError, match="unknown NEWS2 parameter"):
        sub_score("weight", 80)
