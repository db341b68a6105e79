"""The drug-allergy check, with expectations written from the ATC classes and BNF brands in
hms_desktop/resources/drug_allergy_classes.csv (not from the code): substance, class, brand, cross-reactivity,
and the two ways the answer can be "not known" rather than "safe"."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from hms_desktop.domain.allergy_check import CheckOutcome, check_medication, parse_table
from hms_desktop.domain.record import Allergy, AllergyStatement

TABLE = parse_table((Path(__file__).resolve().parents[2] / "hms_desktop" / "resources" / "drug_allergy_classes.csv")
                    .read_text(encoding="utf-8"))
NKA, UNKNOWN = AllergyStatement.NO_KNOWN_ALLERGIES, AllergyStatement.NOT_RECORDED


def allergy(substance: str, severity: str = "severe", reaction: str = "anaphylaxis", status: str = "active") -> Allergy:
    return Allergy(id="ALG000001", patient_id="PAT000001", substance=substance, reaction=reaction,
                   severity=severity, status=status, noted_on=date(2020, 1, 1))


@pytest.mark.parametrize(("recorded", "prescribed", "why"), [
    ("Penicillin", "Amoxicillin 500 mg capsules", "same class (penicillins)"),
    ("Penicillin", "Augmentin", "same class (penicillins)"),  # brand of co-amoxiclav
    ("penicillins", "Tazocin 4.5 g", "same class (penicillins)"),
    ("Amoxicillin", "amoxicillin", "same substance"),
    ("Penicillin", "Penicillin V", "same substance"),
    ("Cephalexin", "Keflex", "same class (cephalosporins)"),
    ("Sulfa drugs", "Co-trimoxazole 960 mg", "same class (sulfonamides)"),
    ("Sulphonamides", "Bactrim", "same class (sulfonamides)"),
    ("Aspirin", "Ibuprofen 400 mg", "same class (NSAIDs and aspirin)"),
    ("NSAIDs", "Nurofen", "same class (NSAIDs and aspirin)"),
    ("Codeine", "Oramorph oral solution", "same class (opioids)"),
    ("Erythromycin", "Zithromax", "same class (macrolides)"),
    ("Iodinated contrast", "Omnipaque 300", "same class (iodinated contrast media)"),
    ("Ibuprofen", "IBUPROFEN", "same substance"),
])
def test_a_drug_in_the_class_of_a_recorded_allergy_is_a_conflict(recorded: str, prescribed: str, why: str) -> None:
    check = check_medication(prescribed, [allergy(recorded)], UNKNOWN, TABLE)
    assert check.outcome is CheckOutcome.CONFLICT
    assert [c.why for c in check.conflicts] == [why]
    assert "anaphylaxis" in check.message and "severe" in check.message and recorded in check.message


def test_cephalosporins_warn_of_cross_reactivity_with_a_penicillin_allergy() -> None:
    check = check_medication("Ceftriaxone 1 g", [allergy("Penicillin", "moderate", "rash")], UNKNOWN, TABLE)
    assert check.outcome is CheckOutcome.CONFLICT
    assert check.conflicts[0].why == "possible cross-reactivity (cephalosporins with penicillins)"
    assert "Penicillin allergy (moderate; rash)" in check.message


@pytest.mark.parametrize("prescribed", ["Paracetamol 1 g", "Metformin", "Azithromycin", "Tramadol"])
def test_an_unrelated_drug_in_the_table_is_clear_only_when_it_is_in_the_table(prescribed: str) -> None:
    check = check_medication(prescribed, [allergy("Penicillin")], UNKNOWN, TABLE)
    in_table = prescribed not in ("Paracetamol 1 g", "Metformin")
    assert check.outcome is (CheckOutcome.CLEAR if in_table else CheckOutcome.NOT_CHECKED)
    if not in_table:
        assert "not checked against allergies" in check.message


def test_unknown_status_and_no_known_allergies_are_said_never_silence() -> None:
    assert check_medication("Amoxicillin", [], UNKNOWN, TABLE).outcome is CheckOutcome.STATUS_NOT_RECORDED
    assert "Allergy status not recorded" in check_medication("Amoxicillin", [], UNKNOWN, TABLE).message
    assert check_medication("Amoxicillin", [], NKA, TABLE).outcome is CheckOutcome.NO_KNOWN_ALLERGIES
    retired = [allergy("Penicillin", status="inactive")]
    assert check_medication("Amoxicillin", retired, UNKNOWN, TABLE).outcome is CheckOutcome.STATUS_NOT_RECORDED


def test_every_class_the_issue_names_is_in_the_table_with_brands() -> None:
    classes = {c for cs in TABLE.terms.values() for c in cs}
    assert classes == {"penicillins", "cephalosporins", "sulfonamides", "nsaids", "opioids", "macrolides",
                       "iodinated_contrast"}
    for brand, klass in [("amoxil", "penicillins"), ("rocephin", "cephalosporins"), ("septrin", "sulfonamides"),
                         ("voltarol", "nsaids"), ("oxycontin", "opioids"), ("klaricid", "macrolides"),
                         ("visipaque", "iodinated_contrast")]:
        assert klass in TABLE.terms[brand]


def test_a_damaged_table_row_is_named() -> None:
    with pytest.raises(ValueError, match="data row 2 is not valid"):
        parse_table("class,term,kind\npenicillins,amoxicillin,generic\nantivirals,aciclovir,generic\n")
