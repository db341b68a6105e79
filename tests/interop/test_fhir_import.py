"""FHIR import: a whole demo patient round-trips export -> import into an empty folder with
the same clinical content; the duplicate check and the preview guard the import."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hms_desktop.domain.patient import Patient
from hms_desktop.domain.record import AllergyStatement, Section
from hms_desktop.interop.fhir_export import patient_bundle, write_json
from hms_desktop.interop.fhir_import import (
    FhirImportError,
    apply_import,
    preview_import,
    read_bundle,
)
from hms_desktop.services.session import Session

from .conftest import reopen

COMPARED = {  # the clinical content of each section, without IDs
    Section.ALLERGIES: ("substance", "reaction", "severity", "status", "noted_on"),
    Section.PROBLEMS: ("condition", "chronic", "onset", "status", "note"),
    Section.DIAGNOSES: ("description", "icd10", "diagnosed_on", "doctor", "status"),
    Section.MEDICATIONS: ("name", "dose", "unit", "route", "frequency", "start", "stop", "status",
                          "prescriber"),
}
DEMOGRAPHICS = ("given_name", "family_name", "date_of_birth", "sex", "phone", "email", "address",
                "blood_group", "emergency_name", "emergency_relation", "emergency_phone",
                "medical_history", "other_identifier")


def _content(session: Session, pid: str) -> dict[Section, list[tuple]]:
    return {section: sorted(tuple(str(getattr(e, f)) for f in fields)
                            for e in session.services.record.entries(section, pid))
            for section, fields in COMPARED.items()}


def _assert_same_record(session: Session, pid: str, before: dict, original: Patient) -> None:
    assert _content(session, pid) == before
    imported = session.services.patients.get(pid)
    for field in DEMOGRAPHICS:
        assert getattr(imported, field) == getattr(original, field), field


def _richest_patient(session: Session) -> str:
    record = session.services.record
    return max(session.services.patients.ids(), key=lambda pid: (
        sum(bool(record.entries(s, pid)) for s in COMPARED),
        sum(len(record.entries(s, pid)) for s in COMPARED)))


@pytest.mark.slow
def test_demo_patient_round_trips_into_an_empty_folder(demo_session: Session, tmp_path: Path) -> None:
    pid = _richest_patient(demo_session)
    before = _content(demo_session, pid)
    assert all(before[s] for s in COMPARED), "the demo patient should have every section"
    original = demo_session.services.patients.get(pid)
    path = tmp_path / "bundle.json"
    write_json(path, patient_bundle(demo_session.services, pid))

    empty = reopen(tmp_path / "empty")
    try:
        preview = preview_import(read_bundle(path), empty.services)
        assert preview.matches == []
        new_id = apply_import(preview, empty.services)
    finally:
        empty.store.close()
    again = reopen(tmp_path / "empty")  # what is on disk after a restart
    try:
        _assert_same_record(again, new_id, before, original)
    finally:
        again.store.close()


def _ada_bundle(tmp_path: Path, session: Session) -> Path:
    services = session.services
    pid = services.patients.register(Patient(given_name="Ada", family_name="Lovelace",
                                             date_of_birth="1984-03-07", sex="female")).id
    services.record.set_allergy_statement(pid, AllergyStatement.NO_KNOWN_ALLERGIES)
    path = tmp_path / "ada.json"
    write_json(path, patient_bundle(services, pid))
    return path


def test_import_goes_through_the_duplicate_check(session: Session, tmp_path: Path) -> None:
    path = _ada_bundle(tmp_path, session)
    existing = session.services.patients.ids()[0]
    preview = preview_import(read_bundle(path), session.services)
    assert [m.id for m in preview.matches] == [existing]
    assert preview.no_known_allergies
    with pytest.raises(ValueError, match="possible duplicate"):
        apply_import(preview, session.services)
    assert session.services.patients.ids() == [existing]
    # The user chose "add to the existing record": no second patient.
    assert apply_import(preview, session.services, target_id=existing) == existing
    assert session.services.patients.ids() == [existing]


def test_existing_entries_are_not_added_twice(demo_session: Session, tmp_path: Path) -> None:
    pid = _richest_patient(demo_session)
    path = tmp_path / "b.json"
    write_json(path, patient_bundle(demo_session.services, pid))
    preview = preview_import(read_bundle(path), demo_session.services, target_id=pid)
    assert preview.summary() == []
    assert any("already on" in s for s in preview.skipped)


def test_a_broken_bundle_is_refused_with_the_entry_named(tmp_path: Path, session: Session) -> None:
    path = _ada_bundle(tmp_path, session)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["entry"][0]["resource"]["birthDate"] = "07/03/1984"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(FhirImportError, match=r"entry 1 \(Patient/PAT000001\): invalid FHIR"):
        read_bundle(path)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(FhirImportError, match="not a readable JSON file"):
        read_bundle(path)


@pytest.mark.slow
def test_edge_values_round_trip(session: Session, tmp_path: Path) -> None:
    from datetime import date

    from hms_desktop.domain.record import Allergy, Diagnosis, Medication, Problem

    services = session.services
    pid = services.patients.register(Patient(
        given_name="Mary Ann", family_name="O'Neil-Smith", date_of_birth="1950-02-28",
        sex="other", phone="+447911123456", email="mary@example.com", address="1 Rue Café\nParis",
        blood_group="AB-", emergency_name="Sean", emergency_relation="brother",
        emergency_phone="+353861234567", medical_history="Asthma since 1960; ünïcode",
        other_identifier="NHS 943 476 5919")).id
    record = services.record
    record.add(Section.ALLERGIES, Allergy(patient_id=pid, substance="Peanuts", reaction="",
                                          severity="life-threatening", noted_on=date(2001, 5, 6)))
    gone = record.add(Section.ALLERGIES, Allergy(patient_id=pid, substance="Latex", severity="mild"))
    record.mark_inactive(Section.ALLERGIES, gone.id)
    record.add(Section.PROBLEMS, Problem(patient_id=pid, condition="Fracture", status="resolved",
                                         onset=date(2010, 1, 2), note="left wrist\nhealed"))
    record.add(Section.PROBLEMS, Problem(patient_id=pid, condition="COPD", chronic=True))
    record.add(Section.DIAGNOSES, Diagnosis(patient_id=pid, description="Type 2 diabetes",
                                            icd10="E11.9", diagnosed_on=date(2015, 3, 4),
                                            doctor="Dr Who", status="inactive"))
    record.add(Section.MEDICATIONS, Medication(
        patient_id=pid, name="Salbutamol", dose=2.5, unit="mg", route="inhaled",
        frequency="four times daily", start=date(2019, 1, 1), stop=date(2019, 2, 1),
        status="stopped", prescriber="Dr Who"))
    before = _content(session, pid)
    original = services.patients.get(pid)
    path = tmp_path / "edge.json"
    write_json(path, patient_bundle(services, pid))
    other = reopen(tmp_path / "other")
    try:
        new_id = apply_import(preview_import(read_bundle(path), other.services), other.services)
        _assert_same_record(other, new_id, before, original)
    finally:
        other.store.close()
