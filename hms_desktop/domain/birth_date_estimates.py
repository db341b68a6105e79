"""A date of birth that was estimated (from an age in an imported file) and must be confirmed.

The original system stored an age, never a date of birth. An imported patient gets the
date that makes them that age half a year ago (the middle of the possible range), and a row
here until somebody confirms the real date with the patient.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel, Field


class EstimateStatus(StrEnum):
    TO_CONFIRM = "to_confirm"
    CONFIRMED = "confirmed"


class EstimatedBirthDate(BaseModel):
    """One row per patient (``id`` = the patient ID)."""

    id: str
    patient_id: str = Field(min_length=1)
    age: int = Field(ge=0, le=130)
    age_on: date  # the day the source file was imported (the age was true then)
    source: str = ""  # e.g. "original:PAT000123 in patients.csv line 4"
    status: EstimateStatus = EstimateStatus.TO_CONFIRM


def estimate_birth_date(age: int, on: date) -> date:
    """The middle of the dates on which someone is ``age`` on ``on``.

    Someone aged N was born between N+1 years (plus a day) and N years before ``on``;
    N years and 182 days before is the middle, so the error is at most about six months.
    """
    try:
        anniversary = on.replace(year=on.year - age)
    except ValueError:  # 29 February in a year without one
        anniversary = on.replace(year=on.year - age, day=28)
    return anniversary - timedelta(days=182)
