"""Record models: the rules a clinician would notice (banner wording, refusals, note grouping)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from hms_desktop.domain.record import (
    Allergy,
    AllergySeverity,
    AllergyStatement,
    ClinicalNote,
    Diagnosis,
    Medication,
    RecordStatus,
    Surgery,
    Visit,
    active_notes_with_amendments,
    age_on,
    allergy_banner,
    check_no_known_allergies,
    is_icd10_code,
)
from hms_desktop.domain.record_fields import describe_errors, form_fields, list_columns


def _allergy(substance: str, severity: str = "moderate", status: str = "active") -> Allergy:
    return Allergy(patient_id="PAT000001", substance=substance, severity=severity, status=status)


def test_banner_is_red_and_lists_active_allergies_most_severe_first() -> None:
    banner = allergy_banner([_allergy("Latex", "mild"), _allergy("Penicillin", "life-threatening"),
                             _allergy("Nuts", "severe", "inactive")], AllergyStatement.NOT_RECORDED)
    assert banner.alert
    assert banner.text == "ALLERGIES: Penicillin (life-threatening), Latex (mild)"
    assert "Nuts" not in banner.text


def test_no_known_allergies_only_when_recorded_as_such() -> None:
    assert allergy_banner([], AllergyStatement.NOT_RECORDED).text == "Allergies not recorded"
    nka = allergy_banner([], AllergyStatement.NO_KNOWN_ALLERGIES)
    assert nka.text == "No known allergies" and not nka.alert
    # only inactive allergies and nobody stated NKA: still "not recorded", never "no known"
    assert allergy_banner([_allergy("Latex", status="inactive")], AllergyStatement.NOT_RECORDED).state \
        == "not_recorded"


def test_nka_refused_while_an_allergy_is_active() -> None:
    with pytest.raises(ValueError, match="Penicillin"):
        check_no_known_allergies([_allergy("Penicillin")])
    check_no_known_allergies([_allergy("Penicillin", status="inactive")])


def test_validation_messages_name_the_field() -> None:
    with pytest.raises(ValidationError) as err:
        Allergy(patient_id="PAT000001", substance="   ", severity="mild")
    assert describe_errors(Allergy, err.value) == ["Substance: must not be empty"]
    with pytest.raises(ValidationError) as err:
        Medication(patient_id="P", name="Aspirin", dose=75, unit="mg", frequency="daily",
                   start=date(2024, 5, 2), stop=date(2024, 5, 1))
    assert describe_errors(Medication, err.value) == ["Stop: must not be before Start"]
    with pytest.raises(ValidationError) as err:
        Diagnosis(patient_id="P", description="Asthma", doctor="Dr A", icd10="45J")
    assert describe_errors(Diagnosis, err.value)[0].startswith("ICD-10 code: expected a letter")


def test_icd10_codes() -> None:
    for good in ("J45", "E11.9", "S72.001", "U07.1"):
        assert is_icd10_code(good), good
    for bad in ("", "J4", "45J", "J45.", "J45.12345", "JJ5"):
        assert not is_icd10_code(bad), bad
    assert Diagnosis(patient_id="P", description="Asthma", doctor="Dr A", icd10="j45").icd10 == "J45"


def test_surgery_cannot_be_in_the_future() -> None:
    with pytest.raises(ValidationError, match="future"):
        Surgery(patient_id="P", procedure="Appendicectomy", performed_on=date.today() + timedelta(days=1))


def test_visit_follow_up_needs_a_next_visit_not_before_the_visit() -> None:
    at = datetime(2026, 3, 1, 10, tzinfo=UTC)
    with pytest.raises(ValidationError, match="Next visit: required"):
        Visit(patient_id="P", doctor="Dr A", at=at, follow_up_required=True)
    with pytest.raises(ValidationError, match="Next visit: must not be before"):
        Visit(patient_id="P", doctor="Dr A", at=at, next_visit=date(2026, 2, 1))
    assert Visit(patient_id="P", doctor="Dr A", at=at, follow_up_required=True,
                 next_visit=date(2026, 3, 15)).next_visit == date(2026, 3, 15)


def test_amendments_attach_to_their_original_in_order() -> None:
    t0 = datetime(2026, 1, 1, 9, tzinfo=UTC)
    original = ClinicalNote(id="NTE000001", patient_id="P", author="Dr A", at=t0, text="BP high")
    other = ClinicalNote(id="NTE000002", patient_id="P", author="Dr B", at=t0 + timedelta(days=2), text="Well")
    fix1 = ClinicalNote(id="NTE000003", patient_id="P", author="Dr A", at=t0 + timedelta(hours=1),
                        text="BP 150/95", amends="NTE000001")
    fix2 = ClinicalNote(id="NTE000004", patient_id="P", author="Dr C", at=t0 + timedelta(hours=3),
                        text="Rechecked 130/85", amends="NTE000003")
    groups = active_notes_with_amendments([fix2, original, other, fix1])
    assert [(o.id, [a.id for a in ams]) for o, ams in groups] == [
        ("NTE000002", []), ("NTE000001", ["NTE000003", "NTE000004"])]


def test_age_is_computed_not_stored() -> None:
    assert age_on(date(2000, 6, 15), date(2026, 6, 14)) == 25
    assert age_on(date(2000, 6, 15), date(2026, 6, 15)) == 26


def test_form_fields_follow_the_model() -> None:
    fields = {f.name: f for f in form_fields(Medication)}
    assert "id" not in fields and "patient_id" not in fields
    assert fields["stop"].kind == "date" and fields["stop"].optional
    assert fields["status"].choices == ("active", "stopped", "inactive")
    assert fields["dose"].kind == "number"
    assert [n for n, f in fields.items() if f.required] == ["name", "dose", "unit", "route", "frequency"]
    assert [f.title for f in list_columns(Allergy)] == ["Substance", "Reaction", "Severity", "Status"]
    assert AllergySeverity.LIFE_THREATENING.value == "life-threatening"
    assert RecordStatus.INACTIVE.value == "inactive"
