"""FHIR export: every resource validates; coded values match LOINC / UCUM / SNOMED as
published (written here from the specifications, not from the exporter)."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from hms_desktop.__main__ import main
from hms_desktop.domain.monitoring import Bed, SessionStatus, VitalsRow
from hms_desktop.domain.news2 import Consciousness
from hms_desktop.domain.observations import Observation
from hms_desktop.domain.patient import Patient
from hms_desktop.interop.fhir_export import bulk_export, iter_ndjson, patient_bundle
from hms_desktop.services.access_control import EXPORTED
from hms_desktop.services.session import Session
from tests.cli_accounts import DEMO_PASSWORDS, access_events

ISSUE_TYPES = {"Patient", "AllergyIntolerance", "Condition", "MedicationStatement", "Procedure",
               "Encounter", "Observation", "DocumentReference", "ServiceRequest", "Appointment",
               "Schedule", "Practitioner", "Location"}


def _validate_all(resources: list[dict]) -> None:
    for res in resources:
        get_fhir_model_class(res["resourceType"]).model_validate(res)


@pytest.mark.slow
def test_bulk_export_is_valid_ndjson_with_every_resource_type(demo_session: Session,
                                                               tmp_path: Path) -> None:
    out = tmp_path / "export"
    result = bulk_export(demo_session.services, out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = {o["type"]: o["count"] for o in manifest["output"]}
    assert ISSUE_TYPES <= set(listed)
    assert listed["Patient"] == len(demo_session.services.patients.ids())
    for kind, count in listed.items():
        lines = (out / f"{kind}.ndjson").read_text(encoding="utf-8").splitlines()
        assert len(lines) == count
        resources = [json.loads(line) for line in lines]  # one JSON object per line
        assert {r["resourceType"] for r in resources} == {kind}
        assert len({r["id"] for r in resources}) == count, f"{kind}: duplicate ids"
        _validate_all(resources)
    assert not list(out.glob("*.part"))
    assert result.total == sum(listed.values())


def test_patient_bundle_validates_and_references_resolve(demo_session: Session) -> None:
    services = demo_session.services
    with_visits = services.scheduling.appointments.all()[0].patient_id
    bundle = patient_bundle(services, with_visits)
    Bundle.model_validate(bundle)
    resources = [e["resource"] for e in bundle["entry"]]
    _validate_all(resources)
    present = {f"{r['resourceType']}/{r['id']}" for r in resources}
    for appt in (r for r in resources if r["resourceType"] == "Appointment"):
        for participant in appt["participant"]:
            assert participant["actor"]["reference"] in present


def _one_patient(session: Session) -> str:
    return session.services.patients.register(Patient(
        given_name="Ada", family_name="Lovelace", date_of_birth="1984-03-07", sex="female")).id


def _by_id(resources: list[dict]) -> dict[str, dict]:
    return {r["id"]: r for r in resources}


def test_vital_signs_carry_loinc_codes_and_ucum_units(session: Session) -> None:
    services = session.services
    pid = _one_patient(session)
    at = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    obs = services.observations.record(Observation(
        patient_id=pid, at=at, respiration_rate=22, spo2=95, on_oxygen=False, systolic=105,
        diastolic=70, pulse=95, consciousness=Consciousness.ALERT, temperature=38.5,
        glucose_mmol_l=6.1, weight_kg=70.5))
    resources = [e["resource"] for e in patient_bundle(services, pid)["entry"]]
    found = _by_id(resources)
    expected = {  # field: (LOINC, UCUM code, value), from the FHIR R4 vital-signs profile
        "respiration-rate": ("9279-1", "/min", 22), "pulse": ("8867-4", "/min", 95),
        "spo2": ("59408-5", "%", 95), "temperature": ("8310-5", "Cel", 38.5),
        "weight-kg": ("29463-7", "kg", 70.5), "glucose": ("15074-8", "mmol/L", 6.1),
    }
    for suffix, (loinc, ucum, value) in expected.items():
        res = found[f"{obs.id}-{suffix}"]
        assert {"system": "http://loinc.org", "code": loinc} in [
            {"system": c["system"], "code": c["code"]} for c in res["code"]["coding"]]
        quantity = res["valueQuantity"]
        assert (quantity["system"], quantity["code"], quantity["value"]) == \
            ("http://unitsofmeasure.org", ucum, value)
        category = res["category"][0]["coding"][0]
        assert category["system"] == "http://terminology.hl7.org/CodeSystem/observation-category"
    assert found[f"{obs.id}-spo2"]["code"]["coding"][1]["code"] == "2708-6"
    bp = found[f"{obs.id}-bp"]
    assert bp["code"]["coding"][0]["code"] == "85354-9"
    parts = {c["code"]["coding"][0]["code"]: c["valueQuantity"] for c in bp["component"]}
    assert parts["8480-6"]["value"] == 105 and parts["8462-4"]["value"] == 70
    assert parts["8480-6"]["code"] == "mm[Hg]"


def test_news2_is_a_scored_observation(session: Session) -> None:
    services = session.services
    pid = _one_patient(session)
    # RCP NEWS2 chart: RR 22 -> 2, SpO2 95 (scale 1) -> 1, air -> 0, systolic 105 -> 1,
    # pulse 95 -> 1, alert -> 0, 38.5 C -> 1: aggregate 6, medium risk.
    obs = services.observations.record(Observation(
        patient_id=pid, at=datetime(2026, 1, 5, 9, 30, tzinfo=UTC), respiration_rate=22, spo2=95,
        on_oxygen=False, systolic=105, pulse=95, consciousness=Consciousness.ALERT,
        temperature=38.5))
    news2 = _by_id([e["resource"] for e in patient_bundle(services, pid)["entry"]])[f"{obs.id}-news2"]
    assert news2["code"]["coding"][0] == {
        "system": "http://snomed.info/sct", "code": "1104051000000101",
        "display": "Royal College of Physicians National Early Warning Score 2 (NEWS2) total score"}
    assert news2["valueInteger"] == 6
    assert news2["interpretation"][0]["coding"][0]["code"] == "medium"
    points = {c["code"]["coding"][0]["code"]: c["valueInteger"] for c in news2["component"]}
    assert points == {"respiration_rate": 2, "spo2": 1, "air_or_oxygen": 0, "systolic": 1,
                      "pulse": 1, "consciousness": 0, "temperature": 1}
    assert f"Observation/{obs.id}-pulse" in [d["reference"] for d in news2["derivedFrom"]]


@pytest.mark.slow
def test_device_spo2_and_pulse_are_exported_one_a_minute(session: Session) -> None:
    services = session.services
    pid = _one_patient(session)
    services.monitoring.add_beds([Bed(id="BED01", name="Bed 1")])
    start = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    sess = services.monitoring.start_session(bed_id="BED01", patient_id=pid, now=start)
    rows = []
    for second in range(180):  # three minutes at 1/s; the third minute the finger is out
        minute = second // 60
        rows.append(VitalsRow(at=start + timedelta(seconds=second), patient_id=pid, bed_id="BED01",
                              session_id=sess.id,
                              spo2=None if minute == 2 else 95 + minute + (second % 3 == 0),
                              pulse_rate=None if minute == 2 else 70 + minute))
    services.monitoring.record_vitals(rows)
    services.monitoring.set_session_status(sess.id, SessionStatus.ENDED, now=start + timedelta(seconds=180))
    resources = [e["resource"] for e in patient_bundle(services, pid)["entry"]]
    device = sorted((r for r in resources if r["id"].startswith("dev-")), key=lambda r: r["id"])
    assert [(r["effectivePeriod"]["start"][11:16], r["code"]["coding"][0]["code"],
             r["valueQuantity"]["value"]) for r in device] == [
        ("10:00", "8867-4", 70), ("10:00", "59408-5", 95),
        ("10:01", "8867-4", 71), ("10:01", "59408-5", 96)]


@pytest.mark.slow
def test_cli_bulk_export_and_one_patient(demo_template: Path, tmp_path: Path, capsys,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "clinic"
    shutil.copytree(demo_template, folder)
    out = tmp_path / "bulk"
    monkeypatch.setenv("HMS_PASSWORD", DEMO_PASSWORDS["admin"])  # the whole clinic: an administrator
    assert main(["fhir-export", "--data-dir", str(folder), "--out", str(out), "--user", "admin"]) == 0
    assert (out / "Patient.ndjson").exists() and (out / "manifest.json").exists()
    first = next(iter_ndjson(out / "Patient.ndjson"))["id"]
    monkeypatch.setenv("HMS_PASSWORD", DEMO_PASSWORDS["clinician"])  # one record: who may read it
    assert main(["fhir-export", "--data-dir", str(folder), "--out", str(out), "--user", "clinician",
                 "--patient", first]) == 0
    Bundle.model_validate_json((out / f"{first}.json").read_text(encoding="utf-8"))
    assert main(["fhir-export", "--data-dir", str(folder), "--out", str(out), "--user", "clinician",
                 "--patient", "PAT999999"]) == 2
    assert "PAT999999: no such patient" in capsys.readouterr().err
    events = access_events(folder)
    assert ("admin", EXPORTED, "") in [(e.user, e.action, e.patient_id) for e in events]
    assert ("clinician", EXPORTED, first) in [(e.user, e.action, e.patient_id) for e in events]


def test_cli_export_refuses_a_role_without_the_permission(demo_template: Path, tmp_path: Path, capsys,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "clinic"
    shutil.copytree(demo_template, folder)
    out = tmp_path / "out"
    monkeypatch.setenv("HMS_PASSWORD", DEMO_PASSWORDS["reception"])
    assert main(["fhir-export", "--data-dir", str(folder), "--out", str(out), "--user", "reception",
                 "--patient", "PAT000001"]) == 1
    assert "Rita Reception (demo) (reception) may not" in capsys.readouterr().err
    assert not (out / "PAT000001.json").exists()
    monkeypatch.setenv("HMS_PASSWORD", DEMO_PASSWORDS["clinician"])  # the whole clinic: administrators only
    assert main(["fhir-export", "--data-dir", str(folder), "--out", str(out), "--user", "clinician"]) == 1
    assert "may not export the whole clinic" in capsys.readouterr().err
    assert not (out / "Patient.ndjson").exists()
    assert [e.user for e in access_events(folder) if e.action == "denied"] == ["reception", "clinician"]
