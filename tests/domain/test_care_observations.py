"""Observations: hard limits refuse with a message naming the field; ranges only warn."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from hms_desktop.domain.clinical_ranges import (
    DEFAULT_RANGES,
    ClinicalRange,
    hard_limit_errors,
    range_errors,
    range_warnings,
)
from hms_desktop.domain.news2 import Risk
from hms_desktop.domain.observations import Observation

AT = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
FULL = dict(patient_id="PAT000001", at=AT, respiration_rate=16, spo2=97, on_oxygen=False,
            systolic=120, diastolic=80, pulse=70, consciousness="alert", temperature=37.0)


@pytest.mark.parametrize(("field", "value", "words"), [
    ("spo2", 101, "SpO2 101 %"), ("pulse", 19, "Pulse 19 /min"), ("pulse", 301, "Pulse 301"),
    ("temperature", 24.9, "Temperature 24.9"), ("temperature", 45.1, "Temperature 45.1"),
    ("systolic", 39, "Systolic BP 39"), ("respiration_rate", 81, "Respiration rate 81"),
    ("diastolic", 19, "Diastolic BP 19"),
])
def test_impossible_values_refused_naming_the_field(field: str, value: float, words: str) -> None:
    with pytest.raises(ValidationError) as info:
        Observation(**{**FULL, field: value})
    assert words in str(info.value)
    assert "impossible" in str(info.value)


@pytest.mark.parametrize(("field", "value"), [
    ("spo2", 0), ("spo2", 100), ("pulse", 20), ("pulse", 300), ("temperature", 25.0),
    ("temperature", 45.0), ("respiration_rate", 0), ("respiration_rate", 80),
])
def test_hard_limit_edges_are_accepted(field: str, value: float) -> None:
    Observation(**{**FULL, field: value})


def test_diastolic_must_be_below_systolic() -> None:
    with pytest.raises(ValidationError, match="must be below systolic"):
        Observation(**{**FULL, "systolic": 100, "diastolic": 100})


def test_empty_set_refused() -> None:
    with pytest.raises(ValidationError, match="at least one observation"):
        Observation(patient_id="PAT000001", at=AT)


def test_out_of_range_values_warn_but_are_valid() -> None:
    obs = Observation(**{**FULL, "pulse": 120, "spo2": 93})
    warnings = range_warnings(obs.measurements(), DEFAULT_RANGES)
    assert "Pulse 120 /min is above the range (90 /min)" in warnings
    assert "SpO2 93 % is below the range (96 %)" in warnings
    assert len(warnings) == 2


def test_edited_range_changes_warnings() -> None:
    ranges = [ClinicalRange(id="pulse", label="Pulse", unit="/min", low=40, high=130)]
    assert range_warnings({"pulse": 120}, ranges) == []
    assert range_warnings({"pulse": 131}, ranges) == ["Pulse 131 /min is above the range (130 /min)"]


def test_range_edits_checked_against_hard_limits() -> None:
    bad = ClinicalRange(id="spo2", label="SpO2", unit="%", low=90, high=120)
    assert range_errors(bad) == ["SpO2 high 120 is outside the physiological limits 0–100 %"]
    swapped = ClinicalRange(id="pulse", label="Pulse", unit="/min", low=100, high=60)
    assert range_errors(swapped) == ["Pulse: low 100 must be below high 60"]
    assert all(range_errors(r) == [] for r in DEFAULT_RANGES)


def test_hard_limit_errors_ignore_missing_values() -> None:
    assert hard_limit_errors({"pulse": None, "spo2": None}) == []


def test_news2_only_for_complete_sets() -> None:
    partial = Observation(patient_id="PAT000001", at=AT, pulse=70)
    assert not partial.is_complete()
    assert partial.news2() is None
    full = Observation(**FULL)
    result = full.news2()
    assert result is not None and result.aggregate == 0 and result.risk is Risk.LOW


def test_news2_uses_the_scale_stored_with_the_set() -> None:
    on_o2 = {**FULL, "spo2": 97, "on_oxygen": True}
    assert Observation(**on_o2).news2().aggregate == 2  # type: ignore[union-attr]
    assert Observation(**on_o2, spo2_scale=2).news2().aggregate == 5  # type: ignore[union-attr]
    with pytest.raises(ValidationError, match="scale must be 1 or 2"):
        Observation(**FULL, spo2_scale=3)
