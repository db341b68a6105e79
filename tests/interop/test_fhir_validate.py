"""The bulk export's validation (``ShapeChecker``) agrees with ``fhir.resources`` validating
each resource whole: on every line of an export with unusual patients, and on resources
with one value changed to something FHIR may refuse (it must refuse exactly those)."""

from __future__ import annotations

import copy
import json
import random
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from hms_desktop.domain.news2 import Consciousness
from hms_desktop.domain.observations import Observation
from hms_desktop.domain.patient import Patient, PatientStatus
from hms_desktop.domain.record import Allergy, ClinicalNote, Medication, Problem, Section
from hms_desktop.interop.fhir_export import ExportError, bulk_export, iter_ndjson, validate
from hms_desktop.interop.fhir_validate import ShapeChecker
from hms_desktop.services.session import Session


def _valid_whole(resource: dict[str, Any]) -> bool:
    try:
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    except (ValidationError, ValueError):
        return False
    return True


def _edge_case_patients(session: Session) -> list[str]:
    """Patients whose resources take the exporter's rarer paths."""
    services = session.services
    register = services.patients.register
    minimal = register(Patient(given_name="Min", family_name="Imal", date_of_birth="2001-01-01"))
    odd = register(Patient(
        given_name="Zoë-Åsa", family_name="O'Brien \"Jr\"", date_of_birth="1931-02-28",
        sex="other", address="Flat 2\nRue de l'Église, 75001 Paris", email="zoe@example.org",
        medical_history="asthma, \\ backslash; ☃ snow", emergency_name="Ana  Bell",
        emergency_relation="friend", other_identifier="NHS 943 476 5919"))
    dead = register(Patient(given_name="Late", family_name="Patient", date_of_birth="1920-06-30"))
    services.patients.set_status(dead.id, PatientStatus.DECEASED, deceased_on=date(2025, 12, 1))
    twin = register(Patient(given_name="Twin", family_name="Copy", date_of_birth="1990-05-05",
                            phone="+447911123456"))
    survivor = register(Patient(given_name="Twin", family_name="Kept", date_of_birth="1990-05-05"))
    services.patients.merge(survivor.id, twin.id)
    record = services.record
    record.add(Section.ALLERGIES, Allergy(patient_id=odd.id, substance="Penicillin, \"amoxicillin\"",
                                          reaction="rash\nand wheeze", severity="severe"))
    record.add(Section.PROBLEMS, Problem(patient_id=odd.id, condition="COPD", chronic=True))
    record.add(Section.MEDICATIONS, Medication(patient_id=odd.id, name="Salbutamol", dose=0.1,
                                               unit="mg", frequency="as needed",
                                               start=date(2024, 2, 29), stop=date(2025, 1, 1)))
    record.add(Section.NOTES, ClinicalNote(patient_id=odd.id, author="Dr. Ø",
                                           text="Line one\r\nline two\t\"quoted\" — ✓"))
    at = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    services.observations.record(Observation(patient_id=odd.id, at=at, pulse=41))  # incomplete
    services.observations.set_scale2(odd.id, True, reason="hypercapnic failure (ABG)")
    services.observations.record(Observation(
        patient_id=odd.id, at=at.replace(hour=11), respiration_rate=8, spo2=88, on_oxygen=True,
        systolic=219, diastolic=20, pulse=131, consciousness=Consciousness.UNRESPONSIVE,
        temperature=35.05, glucose_mmol_l=0.5, weight_kg=0.3))
    return [minimal.id, odd.id, dead.id, twin.id, survivor.id]


@pytest.mark.slow
def test_every_line_of_an_export_with_unusual_patients_validates_whole(
        demo_session: Session, tmp_path: Path) -> None:
    _edge_case_patients(demo_session)
    out = tmp_path / "export"
    result = bulk_export(demo_session.services, out)
    assert result.checks is not None and result.checks.by_shape > result.checks.whole, \
        "the export did not take the shape path it is meant to prove"
    checked = 0
    for entry in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["output"]:
        for resource in iter_ndjson(out / entry["url"]):
            assert _valid_whole(resource), f"{resource['resourceType']}/{resource['id']}"
            checked += 1
    assert checked == result.total


def _leaf_paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [p for key, value in node.items() for p in _leaf_paths(value, (*path, key))]
    if isinstance(node, list):
        return [p for i, value in enumerate(node) for p in _leaf_paths(value, (*path, i))]
    return [path]


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        node = node[step]
    return node


def _set(node: Any, path: tuple[Any, ...], value: Any) -> None:
    _get(node, path[:-1])[path[-1]] = value


# Same Python type as the value they replace, so the shape is unchanged and only the
# per-value checks can catch them.
TEXT = ["", " ", " padded", "two  spaces", "tab\there", "line\nbreak", "bad id!", "x" * 65,
        "2026-02-30", "2026-13-01", "2026-01-01T25:00:00+00:00", "2026-01-01T10:00:00",
        "2026-01-01", "2026", "12:60", "-1", "1e3", "http://exa mple.org", "urn:uuid:1",
        "Patient/", "final", "PAT000001", "é", "\u0000", "%", "true"]
NUMBERS = [0, -1, 1, 10**12, 2**31, 0.5, -0.0, 1e300, float("nan")]


def _mutations(resource: dict[str, Any], rng: random.Random, n: int) -> list[dict[str, Any]]:
    out = []
    for path in rng.sample(_leaf_paths(resource), min(n, len(_leaf_paths(resource)))):
        value = _get(resource, path)
        if path == ("resourceType",) or isinstance(value, bool):
            continue
        pool = TEXT if isinstance(value, str) else NUMBERS
        for replacement in rng.sample(pool, 3):
            if type(replacement) is not type(value):
                continue
            changed = copy.deepcopy(resource)
            _set(changed, path, replacement)
            out.append(changed)
    return out


@pytest.mark.slow
def test_changed_values_are_refused_exactly_when_fhir_resources_refuses_them(
        demo_session: Session, tmp_path: Path) -> None:
    _edge_case_patients(demo_session)
    out = tmp_path / "export"
    bulk_export(demo_session.services, out)
    originals = [r for path in sorted(out.glob("*.ndjson")) for r in iter_ndjson(path)]
    checker = ShapeChecker(validate)
    for resource in originals:  # learn every shape from valid resources
        checker.check(resource)
    rng = random.Random(18)
    refused = accepted = 0
    for resource in rng.sample(originals, 250):
        for changed in _mutations(resource, rng, 4):
            expected = _valid_whole(changed)
            try:
                checker.check(changed)
                verdict = True
            except ExportError:
                verdict = False
            assert verdict == expected, (f"{changed['resourceType']}: checker says "
                                         f"{verdict}, fhir.resources says {expected}")
            refused += not verdict
            accepted += verdict
    assert refused > 50 and accepted > 50  # both verdicts were exercised


@pytest.mark.parametrize(("path", "value"), [
    (("effectivePeriod", "start"), "2026-02-30T10:00:00+00:00"),
    (("status",), "final "),
    (("id",), "not an id"),
    (("subject", "reference"), ""),
])
def test_a_bad_value_in_a_known_shape_stops_the_export_with_the_librarys_reason(
        path: tuple[str, ...], value: str) -> None:
    resource = {"resourceType": "Observation", "id": "dev-1", "status": "final",
                "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
                "subject": {"reference": "Patient/PAT000001"},
                "effectivePeriod": {"start": "2026-01-05T10:00:00+00:00"},
                "valueQuantity": {"value": 70, "unit": "/min",
                                  "system": "http://unitsofmeasure.org", "code": "/min"}}
    checker = ShapeChecker(validate)
    checker.check(resource)
    checker.check(copy.deepcopy(resource))  # the same shape again: by the per-value checks
    assert checker.stats.by_shape == 1
    bad = copy.deepcopy(resource)
    _set(bad, path, value)
    with pytest.raises(ExportError, match="Observation/"):
        checker.check(bad)


def test_an_element_fhir_does_not_know_is_refused_even_in_a_known_type() -> None:
    patient = {"resourceType": "Patient", "id": "PAT000001", "birthDate": "1984-03-07"}
    checker = ShapeChecker(validate)
    checker.check(patient)
    with pytest.raises(ExportError, match="Patient/PAT000001"):
        checker.check({**patient, "birthdate": "1984-03-07"})
