"""RecordService safety rules on a real folder, read back after reopening: one active entry per
allergy, the drug-allergy check (a conflict is refused unless a reason is given, and the reason
is recorded), and the field limits enforced on direct service calls."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from hms_desktop.domain.allergy_check import CheckOutcome
from hms_desktop.domain.field_limits import FieldTooLongError
from hms_desktop.domain.record import Allergy, ClinicalNote, Medication, Section
from hms_desktop.services.bus import EventBus
from hms_desktop.services.container import build_services
from hms_desktop.services.record import AllergyConflictError, RecordError
from hms_desktop.storage import Store

P = "PAT000001"


def services_on(folder: Path):
    store = Store(folder, actor="dr.okafor")
    return store, build_services(store, EventBus())


def penicillin() -> Allergy:
    return Allergy(patient_id=P, substance="Penicillin", reaction="anaphylaxis", severity="life-threatening",
                   noted_on=date(2019, 5, 1))


def amoxicillin() -> Medication:
    return Medication(patient_id=P, name="Amoxicillin", dose=500, unit="mg", frequency="three times daily")


def test_the_same_allergy_cannot_be_added_twice_while_active(data_dir: Path) -> None:
    store, services = services_on(data_dir)
    record = services.record
    first = record.add(Section.ALLERGIES, penicillin())
    with pytest.raises(RecordError, match=r"Penicillin is already recorded as an allergy \(ALG000001"):
        record.add(Section.ALLERGIES, penicillin().model_copy(update={"substance": "  penicillin "}))
    record.mark_inactive(Section.ALLERGIES, first.id)
    record.add(Section.ALLERGIES, penicillin())  # a retired entry may be recorded afresh
    store.close()
    store, services = services_on(data_dir)
    assert sorted(a.status.value for a in services.record.entries(Section.ALLERGIES, P)) == ["active", "inactive"]
    assert services.record.allergy_banner(P).text == "ALLERGIES: Penicillin (life-threatening)"
    store.close()


def test_a_conflicting_prescription_is_refused_without_a_reason_and_kept_with_one(data_dir: Path) -> None:
    store, services = services_on(data_dir)
    record = services.record
    record.add(Section.ALLERGIES, penicillin())
    with pytest.raises(AllergyConflictError, match="Penicillin allergy \\(life-threatening; anaphylaxis\\)"):
        record.add(Section.MEDICATIONS, amoxicillin())
    with pytest.raises(AllergyConflictError):
        record.add_medication(amoxicillin(), override_reason="   ")
    assert record.entries(Section.MEDICATIONS, P) == [] and record.entries(Section.NOTES, P) == []
    saved, check = record.add_medication(amoxicillin(), override_reason="tolerated amoxicillin 2024, "
                                         "allergist review", author="dr.okafor")
    assert check.outcome is CheckOutcome.CONFLICT
    store.close()
    store, services = services_on(data_dir)
    assert [m.name for m in services.record.entries(Section.MEDICATIONS, P)] == ["Amoxicillin"]
    [note] = services.record.entries(Section.NOTES, P)
    assert note.author == "dr.okafor"
    assert "Allergy override: Amoxicillin" in note.text and "Penicillin allergy" in note.text
    assert "Reason: tolerated amoxicillin 2024, allergist review" in note.text
    store.close()


def test_no_conflict_still_reports_what_was_checked(data_dir: Path) -> None:
    store, services = services_on(data_dir)
    _saved, check = services.record.add_medication(amoxicillin())
    assert check.outcome is CheckOutcome.STATUS_NOT_RECORDED
    services.record.add(Section.ALLERGIES, penicillin())
    _saved, check = services.record.add_medication(
        Medication(patient_id=P, name="Zzyzx elixir", dose=5, unit="ml", frequency="daily"))
    assert check.outcome is CheckOutcome.NOT_CHECKED
    assert "not checked against allergies" in check.message
    store.close()


def test_a_direct_service_call_with_a_too_long_value_is_refused_naming_the_field(data_dir: Path) -> None:
    store, services = services_on(data_dir)
    long_note = ClinicalNote.model_construct(id="", patient_id=P, author="dr", text="x" * 1_000_001,
                                             amends="", status="active")
    with pytest.raises(FieldTooLongError, match=r"Text \(text\) is too long: 1,000,001 characters, at most 1,000,000"):
        services.record.add(Section.NOTES, long_note)
    assert services.record.entries(Section.NOTES, P) == []
    store.close()
