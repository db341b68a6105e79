"""Patient rules: what the registration form accepts, refuses and how it says so."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from hms_desktop.domain.patient import (
    FORM_FIELDS,
    BloodGroup,
    FormContext,
    Patient,
    PatientStatus,
    Sex,
    age_on,
    check_field,
    diff_patients,
    fold,
    merged_demographics,
    name_words,
    parse_birth_date,
    parse_patient_form,
    parse_phone,
    patient_form_values,
    search_words,
)

TODAY = date(2026, 11, 25)
CTX = FormContext(today=TODAY, phone_region="GB")


def form(**overrides: str) -> dict[str, str]:
    values = {
        "given_name": " Zoë ", "family_name": "Núñez", "date_of_birth": "07/03/1984",
        "sex": "Female", "phone": "07911 123456", "email": "Zoe.Nunez@Example.com",
        "blood_group": "AB-", "emergency_phone": "+33 6 12 34 56 78",
    }
    values.update(overrides)
    return values


def test_valid_form_normalises_phone_email_and_date() -> None:
    patient, errors = parse_patient_form(form(), CTX)
    assert errors == {}
    assert patient is not None
    assert patient.given_name == "Zoë"
    assert patient.date_of_birth == date(1984, 3, 7)
    assert patient.phone == "+447911123456"
    assert patient.emergency_phone == "+33612345678"
    assert patient.email == "Zoe.Nunez@example.com"
    assert patient.sex is Sex.FEMALE and patient.blood_group is BloodGroup.AB_NEG
    assert patient.age(TODAY) == 42


@pytest.mark.parametrize(("field", "text", "fragment"), [
    ("given_name", "   ", "required"),
    ("family_name", "", "required"),
    ("date_of_birth", "31/02/1990", "not a date"),
    ("date_of_birth", "2030-01-01", "future"),
    ("date_of_birth", "1850-01-01", "before"),
    ("phone", "12345", "not a valid number"),
    ("phone", "call me", "not a phone number"),
    ("email", "zoe@", "after the @-sign"),
    ("sex", "robot", "must be one of"),
    ("blood_group", "C+", "must be one of"),
    ("emergency_phone", "0000", "valid"),
])
def test_each_bad_field_gets_its_own_message_and_no_patient(field: str, text: str, fragment: str) -> None:
    patient, errors = parse_patient_form(form(**{field: text}), CTX)
    assert patient is None
    assert list(errors) == [field]
    assert fragment in errors[field]
    assert check_field(field, text, CTX) == errors[field]


def test_errors_come_in_form_order_so_the_first_bad_field_is_known() -> None:
    _, errors = parse_patient_form(form(email="x", given_name="", phone="1"), CTX)
    assert list(errors) == ["given_name", "phone", "email"]
    assert list(errors) == [f for f in FORM_FIELDS if f in errors]


def test_region_setting_decides_numbers_without_country_code() -> None:
    assert parse_phone("(202) 555-0143", "US") == "+12025550143"
    with pytest.raises(ValueError):
        parse_phone("(202) 555-0143", "GB")


def test_age_is_derived_never_stored() -> None:
    assert "age" not in Patient.model_fields
    assert age_on(date(2000, 2, 29), date(2026, 2, 28)) == 25
    assert age_on(date(2000, 2, 29), date(2026, 3, 1)) == 26


def test_birth_date_accepts_iso_and_day_first() -> None:
    assert parse_birth_date("1984-03-07", TODAY) == parse_birth_date("7.3.1984", TODAY)


def test_model_refuses_inconsistent_status() -> None:
    base = {"given_name": "A", "family_name": "B", "date_of_birth": date(1990, 1, 1)}
    with pytest.raises(ValidationError, match="deceased_on"):
        Patient(**base, status=PatientStatus.DECEASED)
    with pytest.raises(ValidationError, match="merged_into"):
        Patient(**base, status=PatientStatus.MERGED)
    with pytest.raises(ValidationError, match="E.164"):
        Patient(**base, phone="07911 123456")


def test_editing_keeps_fields_outside_the_form() -> None:
    base = Patient(id="PAT000009", given_name="A", family_name="B", date_of_birth=date(1990, 1, 1),
                   status=PatientStatus.INACTIVE, confirmed_not_duplicate_of=["PAT000001"])
    edited, errors = parse_patient_form({**patient_form_values(base), "family_name": "Brown"}, CTX, base=base)
    assert errors == {} and edited is not None
    assert edited.id == "PAT000009" and edited.status is PatientStatus.INACTIVE
    assert edited.confirmed_not_duplicate_of == ["PAT000001"]
    assert [(c.field, c.old, c.new) for c in diff_patients(base, edited)] == [("family_name", "B", "Brown")]


def test_fold_and_words_ignore_accents_case_and_punctuation() -> None:
    assert fold("ZOË Ñúñez") == "zoe nunez"
    assert name_words("O'Brien Smith-Jones Łukasz Yılmaz Ødegaard") == [
        "o", "brien", "smith", "jones", "lukasz", "yilmaz", "odegaard"]
    assert search_words("O'Brien Smith-Jones") == ["o", "brien", "smith", "jones", "obrien"]


def test_merge_keeps_survivor_values_and_fills_gaps() -> None:
    keep = Patient(id="PAT000001", given_name="Ana", family_name="Peña", date_of_birth=date(1970, 5, 1),
                   phone="+447911123456", medical_history="Asthma.")
    gone = Patient(id="PAT000002", given_name="Anna", family_name="Pena", date_of_birth=date(1970, 5, 1),
                   phone="+447400123456", email="ana@example.com", blood_group=BloodGroup.O_POS,
                   medical_history="Penicillin allergy.")
    merged = merged_demographics(keep, gone)
    assert (merged.given_name, merged.phone) == ("Ana", "+447911123456")
    assert merged.email == "ana@example.com" and merged.blood_group is BloodGroup.O_POS
    assert "Asthma." in merged.medical_history and "[from PAT000002] Penicillin allergy." in merged.medical_history
    assert merged.merged_from == ["PAT000002"]


def test_a_phone_number_checked_again_gives_the_same_verdict() -> None:
    """The form parses the typed number, the service checks its E.164 again: same answer,
    and a number valid in one region is still judged afresh in another."""
    from hms_desktop.domain.patient import parse_phone

    assert parse_phone("07911 123456", "GB") == "+447911123456"
    assert parse_phone("+447911123456", "GB") == "+447911123456"
    assert parse_phone(" +447911123456 ", "US") == "+447911123456"
    with pytest.raises(ValueError, match="valid number"):
        parse_phone("07911 123456", "US")
    with pytest.raises(ValueError, match="valid number"):
        parse_phone("07911 12345", "GB")
