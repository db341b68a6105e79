"""A set of manual observations (vitals) and the NEWS2 it yields when complete."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, field_validator, model_validator

from hms_desktop.domain.clinical_ranges import hard_limit_errors
from hms_desktop.domain.news2 import Consciousness, News2Result, score_news2

# Fields that count as measurements (for "at least one value" and the two-tier checks).
MEASUREMENTS: tuple[str, ...] = (
    "respiration_rate", "spo2", "systolic", "diastolic", "pulse", "temperature",
    "glucose_mmol_l", "weight_kg",
)


class Observation(BaseModel):
    """One set of vitals. Missing values are ``None`` ("not measured"), never 0.

    ``spo2_scale`` is the NEWS2 SpO2 scale in force for the patient when the set was
    taken, so a later change of scale does not rewrite the score of old sets.
    """

    id: str = ""
    patient_id: str
    at: datetime
    respiration_rate: int | None = None
    spo2: int | None = None
    on_oxygen: bool | None = None
    systolic: int | None = None
    diastolic: int | None = None
    pulse: int | None = None
    consciousness: Consciousness | None = None
    temperature: float | None = None
    glucose_mmol_l: float | None = None
    weight_kg: float | None = None
    spo2_scale: int = 1
    recorded_by: str = ""
    note: str = ""

    @field_validator("patient_id")
    @classmethod
    def _patient_required(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("patient is required")
        return value

    @field_validator("spo2_scale")
    @classmethod
    def _scale_1_or_2(cls, value: int) -> int:
        if value not in (1, 2):
            raise ValueError("SpO2 scale must be 1 or 2")
        return value

    @model_validator(mode="after")
    def _within_hard_limits(self) -> Observation:
        values = self.measurements()
        if all(v is None for v in values.values()) and self.consciousness is None:
            raise ValueError("enter at least one observation")
        errors = hard_limit_errors(values)
        if errors:
            raise ValueError("; ".join(errors))
        return self

    def measurements(self) -> dict[str, float | None]:
        return {name: getattr(self, name) for name in MEASUREMENTS}

    def is_complete(self) -> bool:
        """True when every NEWS2 parameter is present."""
        return None not in (self.respiration_rate, self.spo2, self.on_oxygen, self.systolic,
                            self.pulse, self.consciousness, self.temperature)

    def news2(self) -> News2Result | None:
        """NEWS2 for a complete set, on the scale stored with it; None when incomplete."""
        if not self.is_complete():
            return None
        assert self.respiration_rate is not None and self.spo2 is not None
        assert self.on_oxygen is not None and self.systolic is not None
        assert self.pulse is not None and self.consciousness is not None
        assert self.temperature is not None
        return score_news2(
            respiration_rate=self.respiration_rate, spo2=self.spo2, on_oxygen=self.on_oxygen,
            systolic=self.systolic, pulse=self.pulse, consciousness=self.consciousness,
            temperature=self.temperature, scale2=self.spo2_scale == 2,
        )


class News2Scale(BaseModel):
    """Per-patient SpO2 scale, set by a clinician; ``id`` is the patient id."""

    id: str = ""
    scale2: bool = False
    reason: str = ""
    set_by: str = ""
