"""The one table of field limits: every free-text field of the models is in it, and a value
one character over is refused by the model, the service and the form text rules, naming the field."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import BaseModel, ValidationError

from hms_desktop.domain import record, scheduling
from hms_desktop.domain.field_limits import (
    FIELD_LIMITS,
    NAME,
    NOTE,
    FieldTooLongError,
    check_limits,
    limit,
)
from hms_desktop.domain.patient import FormContext, Patient, check_field, parse_patient_form
from hms_desktop.domain.referrals import Referral

# Fields that hold codes or IDs the program writes, not text a person types.
NOT_TYPED = {"id", "patient_id", "amends", "provider_id", "appointment_id", "merged_into", "room_id",
             "series_id", "visit_id", "status_by", "override_by", "tz", "rule", "start", "end", "from_department",
             "to_department", "phone", "emergency_phone"}
MODELS: list[type[BaseModel]] = [Patient, record.Allergy, record.Problem, record.Medication, record.Surgery,
                                 record.Diagnosis, record.ClinicalNote, record.Visit, scheduling.Provider,
                                 scheduling.Room, scheduling.Appointment, scheduling.Series, Referral]


def test_names_hold_100_characters_and_a_note_a_million() -> None:
    assert limit("Patient", "family_name") == limit("Patient", "given_name") == NAME == 100
    assert limit("ClinicalNote", "text") == limit("Patient", "medical_history") == NOTE == 1_000_000


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_typed_text_field_has_a_limit(model: type[BaseModel]) -> None:
    text_fields = {name for name, info in model.model_fields.items() if info.annotation is str} - NOT_TYPED
    missing = sorted(f for f in text_fields if f"{model.__name__}.{f}" not in FIELD_LIMITS)
    assert not missing, f"{model.__name__} fields without a limit in field_limits: {missing}"


@pytest.mark.parametrize("key", sorted(k for k in FIELD_LIMITS if k.split(".")[0] in
                                       {"Patient", "Allergy", "Problem", "Medication", "Surgery", "Diagnosis",
                                        "ClinicalNote", "Visit"}))
def test_models_refuse_one_character_over_naming_the_field(key: str) -> None:
    model_name, field = key.split(".")
    model = Patient if model_name == "Patient" else getattr(record, model_name)
    assert model.model_fields[field].metadata, f"{key} declares no max_length"
    most = FIELD_LIMITS[key]
    with pytest.raises(ValidationError) as caught:
        model.model_validate({field: "x" * (most + 1)})
    problems = {e["loc"][0]: e["type"] for e in caught.value.errors()}
    assert problems.get(field) == "string_too_long"


def test_check_limits_refuses_a_record_that_skipped_validation() -> None:
    patient = Patient.model_construct(given_name="Ann", family_name="Q" * 480, date_of_birth=date(1980, 1, 1))
    with pytest.raises(FieldTooLongError, match=r"Family name \(family_name\) is too long: 480 characters, at most 100"):
        check_limits(patient)
    check_limits(Patient(given_name="Ann", family_name="Q" * 100, date_of_birth=date(1980, 1, 1)))


def test_the_registration_rules_name_the_field_as_it_is_typed() -> None:
    ctx = FormContext(today=date(2026, 12, 3))
    assert check_field("family_name", "Q" * 480, ctx) == "is too long: 480 characters, at most 100"
    assert check_field("family_name", "Q" * 100, ctx) is None
    patient, errors = parse_patient_form({"given_name": "Ann", "family_name": "Q" * 101,
                                          "date_of_birth": "1980-01-01"}, ctx)
    assert patient is None and errors == {"family_name": "is too long: 101 characters, at most 100"}
