"""The two tiers of vitals validation (docs/clinical.md).

* Hard physiological limits are constants: a value outside them is a typo, not a patient,
  and is refused with a message naming the field.
* Clinical ranges only warn. They live in an editable table in the data folder
  (``clinical_ranges.csv``), seeded with ``DEFAULT_RANGES``, because every clinic wants its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pydantic import BaseModel


class Limit(BaseModel):
    label: str
    unit: str
    low: float
    high: float


# Physiological limits: outside them the value cannot be a living patient's reading.
HARD_LIMITS: dict[str, Limit] = {
    "respiration_rate": Limit(label="Respiration rate", unit="/min", low=0, high=80),
    "spo2": Limit(label="SpO2", unit="%", low=0, high=100),
    "systolic": Limit(label="Systolic BP", unit="mmHg", low=40, high=300),
    "diastolic": Limit(label="Diastolic BP", unit="mmHg", low=20, high=200),
    "pulse": Limit(label="Pulse", unit="/min", low=20, high=300),
    "temperature": Limit(label="Temperature", unit="°C", low=25, high=45),
    "glucose_mmol_l": Limit(label="Blood glucose", unit="mmol/L", low=0.5, high=60),
    "weight_kg": Limit(label="Weight", unit="kg", low=0.3, high=500),
}


class ClinicalRange(BaseModel):
    """One editable warning range; ``id`` is the parameter key (e.g. ``"pulse"``)."""

    id: str = ""
    label: str
    unit: str
    low: float | None = None
    high: float | None = None


DEFAULT_RANGES: tuple[ClinicalRange, ...] = (
    ClinicalRange(id="respiration_rate", label="Respiration rate", unit="/min", low=12, high=20),
    ClinicalRange(id="spo2", label="SpO2", unit="%", low=96, high=100),
    ClinicalRange(id="systolic", label="Systolic BP", unit="mmHg", low=100, high=140),
    ClinicalRange(id="diastolic", label="Diastolic BP", unit="mmHg", low=60, high=90),
    ClinicalRange(id="pulse", label="Pulse", unit="/min", low=51, high=90),
    ClinicalRange(id="temperature", label="Temperature", unit="°C", low=36.1, high=38.0),
    ClinicalRange(id="glucose_mmol_l", label="Blood glucose", unit="mmol/L", low=4.0, high=7.8),
    ClinicalRange(id="weight_kg", label="Weight", unit="kg", low=None, high=None),
)


def _fmt(value: float) -> str:
    return f"{value:g}"


def hard_limit_errors(values: Mapping[str, float | None]) -> list[str]:
    """Messages for every value outside its physiological limit (empty list = acceptable)."""
    errors: list[str] = []
    for key, value in values.items():
        limit = HARD_LIMITS.get(key)
        if limit is None or value is None:
            continue
        if not limit.low <= value <= limit.high:
            errors.append(f"{limit.label} {_fmt(value)} {limit.unit} is impossible "
                          f"(allowed {_fmt(limit.low)}–{_fmt(limit.high)} {limit.unit})")
    systolic, diastolic = values.get("systolic"), values.get("diastolic")
    if systolic is not None and diastolic is not None and diastolic >= systolic:
        errors.append(f"Diastolic BP {_fmt(diastolic)} mmHg must be below systolic "
                      f"{_fmt(systolic)} mmHg")
    return errors


def range_warnings(values: Mapping[str, float | None],
                   ranges: Iterable[ClinicalRange]) -> list[str]:
    """Messages for values outside the clinic's warning ranges: shown, never blocking."""
    warnings: list[str] = []
    for rng in ranges:
        value = values.get(rng.id)
        if value is None:
            continue
        if rng.low is not None and value < rng.low:
            warnings.append(f"{rng.label} {_fmt(value)} {rng.unit} is below the range "
                            f"({_fmt(rng.low)} {rng.unit})")
        elif rng.high is not None and value > rng.high:
            warnings.append(f"{rng.label} {_fmt(value)} {rng.unit} is above the range "
                            f"({_fmt(rng.high)} {rng.unit})")
    return warnings


def range_errors(rng: ClinicalRange) -> list[str]:
    """An edited range must sit inside the hard limits and have low below high."""
    errors: list[str] = []
    limit = HARD_LIMITS.get(rng.id)
    for name, bound in (("low", rng.low), ("high", rng.high)):
        if bound is not None and limit is not None and not limit.low <= bound <= limit.high:
            errors.append(f"{rng.label} {name} {_fmt(bound)} is outside the physiological "
                          f"limits {_fmt(limit.low)}–{_fmt(limit.high)} {limit.unit}")
    if rng.low is not None and rng.high is not None and rng.low >= rng.high:
        errors.append(f"{rng.label}: low {_fmt(rng.low)} must be below high {_fmt(rng.high)}")
    return errors
