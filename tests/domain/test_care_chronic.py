"""Chronic programme: glucose units, targets, the overdue rule."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from hms_desktop.domain.chronic import (
    ChronicReading,
    Enrolment,
    EnrolmentStatus,
    from_mmol,
    mg_dl_to_mmol,
    mmol_to_mg_dl,
    next_due,
    overdue,
    target_misses,
    to_mmol,
)

AT = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def enrol(**kw: object) -> Enrolment:
    base: dict[str, object] = dict(patient_id="PAT000001", diseases=["Type 2 diabetes"],
                                   frequency_days=7, enrolled_on=date(2026, 10, 1))
    return Enrolment(**{**base, **kw})


def test_glucose_conversion_matches_clinical_tables() -> None:
    assert round(mmol_to_mg_dl(5.5)) == 99
    assert round(mmol_to_mg_dl(10.0)) == 180
    assert round(mg_dl_to_mmol(126), 1) == 7.0
    assert to_mmol(7.0, "mmol/L") == 7.0
    assert round(to_mmol(180, "mg/dL"), 2) == 9.99


@given(st.floats(min_value=0.5, max_value=60))
def test_glucose_units_round_trip(mmol: float) -> None:
    assert from_mmol(to_mmol(from_mmol(mmol, "mg/dL"), "mg/dL"), "mmol/L") == pytest.approx(mmol)


def test_enrolment_needs_a_disease_and_sane_frequency() -> None:
    with pytest.raises(ValidationError, match="at least one disease"):
        enrol(diseases=[" ", ""])
    with pytest.raises(ValidationError, match="1–366 days"):
        enrol(frequency_days=0)
    with pytest.raises(ValidationError, match="target glucose: minimum 8 must be below maximum 4"):
        enrol(target_glucose_min=8, target_glucose_max=4)


def test_reading_validation() -> None:
    with pytest.raises(ValidationError, match="at least one reading"):
        ChronicReading(patient_id="PAT000001", at=AT)
    with pytest.raises(ValidationError, match="both systolic and diastolic"):
        ChronicReading(patient_id="PAT000001", at=AT, systolic=130)
    with pytest.raises(ValidationError, match="Blood glucose 70 mmol/L is impossible"):
        ChronicReading(patient_id="PAT000001", at=AT, glucose_mmol_l=70)


def test_target_misses() -> None:
    e = enrol(target_systolic_max=140, target_diastolic_max=90, target_glucose_min=4.0,
              target_glucose_max=7.0, target_weight_max=90)
    ok = ChronicReading(patient_id="PAT000001", at=AT, systolic=139, diastolic=89,
                        glucose_mmol_l=6.9, weight_kg=90)
    assert target_misses(ok, e) == []
    bad = ChronicReading(patient_id="PAT000001", at=AT, systolic=140, diastolic=85,
                         glucose_mmol_l=3.5, weight_kg=95)
    assert target_misses(bad, e) == ["systolic 140 ≥ target 140", "glucose 3.5 below target 4",
                                     "weight 95 above target 90"]


def test_next_due_from_last_reading_or_enrolment() -> None:
    e = enrol(frequency_days=7)
    assert next_due(e, None) == date(2026, 10, 8)
    assert next_due(e, date(2026, 11, 20)) == date(2026, 11, 27)


def test_overdue_list_orders_most_late_first_and_skips_ended() -> None:
    a = enrol(id="CHR000001", patient_id="PAT000001", frequency_days=7)
    b = enrol(id="CHR000002", patient_id="PAT000002", frequency_days=30)
    c = enrol(id="CHR000003", patient_id="PAT000003", frequency_days=1, status=EnrolmentStatus.ENDED)
    d = enrol(id="CHR000004", patient_id="PAT000004", frequency_days=7)
    last = {"PAT000001": date(2026, 11, 18), "PAT000004": date(2026, 11, 17)}
    today = date(2026, 11, 25)
    # PAT1 due 11-25: on time today. PAT4 due 11-24: 1 day late. PAT2 due 10-31: 25 days late.
    result = overdue([a, b, c, d], last, today)
    assert [(r.patient_id, r.days_late) for r in result] == [("PAT000002", 25), ("PAT000004", 1)]
    assert result[0].last_reading is None and result[0].due == date(2026, 10, 31)
