"""Chronic-disease programme: enrolment with targets, readings, glucose units, overdue rule."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, field_validator, model_validator

from hms_desktop.domain.clinical_ranges import hard_limit_errors

# mg/dL per mmol/L for glucose (molar mass 180.16 g/mol / 10); the usual clinical factor 18.0
# would make 5.5 mmol/L read 99 mg/dL either way, but the exact factor round-trips cleanly.
GLUCOSE_MG_DL_PER_MMOL_L = 18.016


class GlucoseUnit(StrEnum):
    MMOL_L = "mmol/L"
    MG_DL = "mg/dL"


def mmol_to_mg_dl(mmol_l: float) -> float:
    return mmol_l * GLUCOSE_MG_DL_PER_MMOL_L


def mg_dl_to_mmol(mg_dl: float) -> float:
    return mg_dl / GLUCOSE_MG_DL_PER_MMOL_L


def to_mmol(value: float, unit: GlucoseUnit | str) -> float:
    """Readings are stored in mmol/L whatever unit they were entered in."""
    return value if GlucoseUnit(unit) is GlucoseUnit.MMOL_L else mg_dl_to_mmol(value)


def from_mmol(mmol_l: float, unit: GlucoseUnit | str) -> float:
    return mmol_l if GlucoseUnit(unit) is GlucoseUnit.MMOL_L else mmol_to_mg_dl(mmol_l)


class EnrolmentStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class Enrolment(BaseModel):
    """A patient's place in the programme, with the targets their readings are judged by."""

    id: str = ""
    patient_id: str
    diseases: list[str]
    frequency_days: int
    assigned_doctor: str = ""
    lifestyle_notes: str = ""
    enrolled_on: date
    status: EnrolmentStatus = EnrolmentStatus.ACTIVE
    target_systolic_max: int | None = None
    target_diastolic_max: int | None = None
    target_glucose_min: float | None = None  # mmol/L
    target_glucose_max: float | None = None  # mmol/L
    target_weight_min: float | None = None  # kg
    target_weight_max: float | None = None  # kg

    @field_validator("diseases")
    @classmethod
    def _some_disease(cls, value: list[str]) -> list[str]:
        cleaned = [d.strip() for d in value if d.strip()]
        if not cleaned:
            raise ValueError("diseases: name at least one disease")
        return cleaned

    @field_validator("frequency_days")
    @classmethod
    def _frequency(cls, value: int) -> int:
        if not 1 <= value <= 366:
            raise ValueError("monitoring frequency must be 1–366 days")
        return value

    @model_validator(mode="after")
    def _targets_ordered(self) -> Enrolment:
        for name, low, high in (("glucose", self.target_glucose_min, self.target_glucose_max),
                                ("weight", self.target_weight_min, self.target_weight_max)):
            if low is not None and high is not None and low >= high:
                raise ValueError(f"target {name}: minimum {low:g} must be below maximum {high:g}")
        return self


class ChronicReading(BaseModel):
    """One home or clinic reading; glucose always stored in mmol/L."""

    id: str = ""
    patient_id: str
    at: datetime
    glucose_mmol_l: float | None = None
    systolic: int | None = None
    diastolic: int | None = None
    weight_kg: float | None = None
    notes: str = ""

    @model_validator(mode="after")
    def _valid_values(self) -> ChronicReading:
        values: dict[str, float | None] = {
            "glucose_mmol_l": self.glucose_mmol_l, "systolic": self.systolic,
            "diastolic": self.diastolic, "weight_kg": self.weight_kg,
        }
        if all(v is None for v in values.values()):
            raise ValueError("enter at least one reading (glucose, blood pressure or weight)")
        if (self.systolic is None) != (self.diastolic is None):
            raise ValueError("blood pressure needs both systolic and diastolic")
        errors = hard_limit_errors(values)
        if errors:
            raise ValueError("; ".join(errors))
        return self


def target_misses(reading: ChronicReading, enrolment: Enrolment) -> list[str]:
    """Which of the patient's targets this reading misses (shown beside it)."""
    misses: list[str] = []
    e = enrolment
    if reading.systolic is not None and e.target_systolic_max is not None \
            and reading.systolic >= e.target_systolic_max:
        misses.append(f"systolic {reading.systolic} ≥ target {e.target_systolic_max}")
    if reading.diastolic is not None and e.target_diastolic_max is not None \
            and reading.diastolic >= e.target_diastolic_max:
        misses.append(f"diastolic {reading.diastolic} ≥ target {e.target_diastolic_max}")
    g = reading.glucose_mmol_l
    if g is not None and e.target_glucose_min is not None and g < e.target_glucose_min:
        misses.append(f"glucose {g:g} below target {e.target_glucose_min:g}")
    if g is not None and e.target_glucose_max is not None and g > e.target_glucose_max:
        misses.append(f"glucose {g:g} above target {e.target_glucose_max:g}")
    w = reading.weight_kg
    if w is not None and e.target_weight_min is not None and w < e.target_weight_min:
        misses.append(f"weight {w:g} below target {e.target_weight_min:g}")
    if w is not None and e.target_weight_max is not None and w > e.target_weight_max:
        misses.append(f"weight {w:g} above target {e.target_weight_max:g}")
    return misses


@dataclass(frozen=True, slots=True)
class OverdueEntry:
    patient_id: str
    enrolment_id: str
    last_reading: date | None
    due: date
    days_late: int


def next_due(enrolment: Enrolment, last_reading: date | None) -> date:
    """The next reading is due one frequency after the last one (or after enrolment)."""
    start = last_reading if last_reading is not None else enrolment.enrolled_on
    return start + timedelta(days=enrolment.frequency_days)


def overdue(enrolments: Iterable[Enrolment], last_readings: Mapping[str, date],
            today: date) -> list[OverdueEntry]:
    """Active enrolments whose next reading is late, most late first.

    ``last_readings`` maps patient id to the date of their latest reading.
    """
    entries: list[OverdueEntry] = []
    for e in enrolments:
        if e.status is not EnrolmentStatus.ACTIVE:
            continue
        last = last_readings.get(e.patient_id)
        due = next_due(e, last)
        if today > due:
            entries.append(OverdueEntry(e.patient_id, e.id, last, due, (today - due).days))
    entries.sort(key=lambda x: (-x.days_late, x.patient_id))
    return entries
