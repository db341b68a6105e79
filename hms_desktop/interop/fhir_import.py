"""FHIR import: a Patient bundle (allergies, conditions, medications) into a patient.

``read_bundle`` validates every entry with ``fhir.resources``; ``preview_import`` turns it
into the patient and entries that would be added (writing nothing) and runs the duplicate
check; ``apply_import`` writes through the services: a new patient goes through
``PatientService.register`` (which refuses unconfirmed likely duplicates itself), or the
entries join an existing patient, skipping what that record already holds.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import BaseModel, ValidationError

from hms_desktop.domain.duplicates import DuplicateMatch
from hms_desktop.domain.patient import FormContext, Patient, fold, parse_patient_form
from hms_desktop.domain.record import (
    Allergy,
    AllergyStatement,
    Diagnosis,
    Medication,
    Problem,
    Section,
)

from . import fhir_codes as fc

Resource = dict[str, Any]
_IMPORTED = ("Patient", "AllergyIntolerance", "Condition", "MedicationStatement")
_LABEL_FIELD = {Section.ALLERGIES: "substance", Section.PROBLEMS: "condition",
                Section.DIAGNOSES: "description", Section.MEDICATIONS: "name"}


class FhirImportError(ValueError):
    """The file is not a usable FHIR bundle; the message names the entry and the reason."""


@dataclass
class FhirPreview:
    patient: Patient  # as it would be registered (no ID yet)
    matches: list[DuplicateMatch]
    additions: dict[Section, list[BaseModel]]
    no_known_allergies: bool = False
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        lines = [f"{len(rows)} {section.value.replace('_', ' ')}"
                 for section, rows in self.additions.items() if rows]
        if self.no_known_allergies:
            lines.append("no known allergies (statement)")
        return lines


def read_bundle(path: Path) -> list[Resource]:
    """The bundle's resources, each validated; FhirImportError names what is wrong."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FhirImportError(f"{path}: not a readable JSON file ({exc})") from exc
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        raise FhirImportError(f"{path}: not a FHIR Bundle (resourceType "
                              f"{data.get('resourceType') if isinstance(data, dict) else '?'})")
    resources: list[Resource] = []
    for n, entry in enumerate(data.get("entry") or [], start=1):
        res = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(res, dict):
            raise FhirImportError(f"{path}: entry {n}: has no resource")
        kind = str(res.get("resourceType", "?"))
        try:
            get_fhir_model_class(kind).model_validate(res)
        except (ValidationError, KeyError, ValueError) as exc:
            raise FhirImportError(f"{path}: entry {n} ({kind}/{res.get('id', '?')}): "
                                  f"invalid FHIR: {exc}") from exc
        resources.append(res)
    patients = [r for r in resources if r["resourceType"] == "Patient"]
    if len(patients) != 1:
        raise FhirImportError(f"{path}: the bundle holds {len(patients)} Patient resources; "
                              "one patient's bundle is expected")
    return resources


# ---------------------------------------------------------------------------- mapping
def _date(text: str | None) -> date | None:
    if not text:
        return None
    head = text[:10]
    if len(head) == 4:
        head += "-01-01"
    elif len(head) == 7:
        head += "-01"
    return date.fromisoformat(head)


def _codes(concept: Resource | None) -> list[tuple[str, str]]:
    return [(c.get("system", ""), c.get("code", "")) for c in (concept or {}).get("coding", [])]


def _text(concept: Resource | None) -> str:
    concept = concept or {}
    if concept.get("text"):
        return str(concept["text"])
    for coding in concept.get("coding", []):
        if coding.get("display"):
            return str(coding["display"])
    return ""


def _status(concept: Resource | None) -> str:
    codes = _codes(concept)
    return codes[0][1] if codes else ""


def _patient_values(res: Resource, resources: list[Resource]) -> dict[str, str]:
    name = next((n for n in res.get("name", []) if n.get("use") == "official"),
                (res.get("name") or [{}])[0])
    values = {"given_name": " ".join(name.get("given", [])), "family_name": name.get("family", ""),
              "date_of_birth": res.get("birthDate", ""), "sex": res.get("gender", "unknown")}
    if not values["family_name"] and name.get("text"):
        values["given_name"], _, values["family_name"] = name["text"].rpartition(" ")
    for telecom in res.get("telecom", []):
        key = {"phone": "phone", "email": "email"}.get(telecom.get("system", ""))
        if key and not values.get(key):
            values[key] = telecom.get("value", "")
    if res.get("address"):
        address = res["address"][0]
        values["address"] = address.get("text") or ", ".join(
            [*address.get("line", []), *(address.get(k, "") for k in ("city", "postalCode"))])
    for contact in res.get("contact", []):
        values["emergency_name"] = (contact.get("name") or {}).get("text", "")
        relations = [r.get("text", "") for r in contact.get("relationship", []) if r.get("text")]
        values["emergency_relation"] = relations[0] if relations else ""
        values["emergency_phone"] = next((t.get("value", "") for t in contact.get("telecom", [])
                                          if t.get("system") == "phone"), "")
        break
    others = [i.get("value", "") for i in res.get("identifier", [])
              if i.get("system") != fc.PATIENT_ID_SYSTEM]
    values["other_identifier"] = " ".join(o for o in others if o)
    for r in resources:
        if r["resourceType"] == "Observation" and (fc.LOINC, fc.BLOOD_GROUP[0]) in _codes(r.get("code")):
            values["blood_group"] = _text(r.get("valueCodeableConcept"))
        if r["resourceType"] == "DocumentReference" and \
                (fc.LOINC, fc.HISTORY_NOTE[0]) in _codes(r.get("type")):
            data = r["content"][0]["attachment"].get("data", "")
            values["medical_history"] = base64.b64decode(data).decode("utf-8") if data else ""
    return values


def _allergy(res: Resource, pid: str, today: date) -> Allergy:
    reaction = (res.get("reaction") or [{}])[0]
    manifest = _text((reaction.get("manifestation") or [{}])[0])
    notes = " ".join(n.get("text", "") for n in res.get("note", []))
    severity = "life-threatening" if "life-threatening" in notes else \
        reaction.get("severity") or ("severe" if res.get("criticality") == "high" else "unknown")
    return Allergy(patient_id=pid, substance=_text(res.get("code")),
                   reaction="" if manifest == "not recorded" else manifest,
                   severity=severity,
                   status="active" if _status(res.get("clinicalStatus")) in ("", "active") else "inactive",
                   noted_on=_date(res.get("recordedDate")) or today)


_PROBLEM_STATUS = {"active": "active", "recurrence": "active", "relapse": "active",
                   "resolved": "resolved", "remission": "resolved", "inactive": "inactive"}


def _condition(res: Resource, pid: str, today: date) -> tuple[Section, BaseModel] | str:
    categories = [code for c in res.get("category", []) for code in _codes(c)]
    if (fc.HMS_CATEGORY, fc.PROGRAMME_CATEGORY) in categories:
        return "chronic-care programme enrolment (enrol the patient in the Care tab)"
    status = _status(res.get("clinicalStatus")) or "active"
    if (fc.CONDITION_CATEGORY, "encounter-diagnosis") in categories:
        icd = next((code for system, code in _codes(res.get("code")) if system == fc.ICD10), "")
        return Section.DIAGNOSES, Diagnosis(
            patient_id=pid, description=_text(res.get("code")), icd10=icd,
            diagnosed_on=_date(res.get("recordedDate")) or today,
            doctor=(res.get("recorder") or {}).get("display") or "imported (FHIR)",
            status="active" if status == "active" else "inactive")
    return Section.PROBLEMS, Problem(
        patient_id=pid, condition=_text(res.get("code")),
        chronic=(fc.HMS_CATEGORY, fc.CHRONIC_CATEGORY) in categories,
        onset=_date(res.get("onsetDateTime")), status=_PROBLEM_STATUS.get(status, "active"),
        note="\n".join(n.get("text", "") for n in res.get("note", [])))


_MED_STATUS = {v: k for k, v in fc.MEDICATION_STATUS.items()} | {"completed": "stopped",
                                                               "on-hold": "active"}


def _medication(res: Resource, pid: str, today: date) -> Medication | str:
    dosage = (res.get("dosage") or [{}])[0]
    dose = ((dosage.get("doseAndRate") or [{}])[0]).get("doseQuantity") or {}
    if not dose.get("value"):
        return "no dose quantity (add it by hand)"
    period = res.get("effectivePeriod") or {}
    return Medication(
        patient_id=pid, name=_text(res.get("medicationCodeableConcept")), dose=dose["value"],
        unit=dose.get("unit") or dose.get("code") or "unit",
        route=_text(dosage.get("route")) or "oral",
        frequency=_text((dosage.get("timing") or {}).get("code")) or dosage.get("text") or "not recorded",
        start=_date(period.get("start") or res.get("effectiveDateTime")) or today,
        stop=_date(period.get("end")), status=_MED_STATUS.get(res.get("status", ""), "active"),
        prescriber=(res.get("informationSource") or {}).get("display", ""))


def preview_import(resources: list[Resource], services: Any, *, phone_region: str = "GB",
                   target_id: str = "", today: date | None = None) -> FhirPreview:
    """What importing would add (to ``target_id``, or to a new patient); writes nothing."""
    today = today or date.today()
    source = next(r for r in resources if r["resourceType"] == "Patient")
    patient, errors = parse_patient_form(_patient_values(source, resources),
                                         FormContext(today, phone_region))
    if patient is None:
        raise FhirImportError("Patient: " + "; ".join(f"{k}: {v}" for k, v in errors.items()))
    pid = target_id or "new"
    preview = FhirPreview(patient, [] if target_id else services.patients.duplicates(patient),
                          {s: [] for s in _LABEL_FIELD})
    skipped: Counter[str] = Counter()
    for res in resources:
        kind = res["resourceType"]
        where = f"{kind}/{res.get('id', '?')}"
        try:
            if kind == "AllergyIntolerance":
                if (fc.SNOMED, fc.NO_KNOWN_ALLERGY[0]) in _codes(res.get("code")):
                    preview.no_known_allergies = True
                else:
                    preview.additions[Section.ALLERGIES].append(_allergy(res, pid, today))
            elif kind == "Condition":
                found = _condition(res, pid, today)
                if isinstance(found, str):
                    preview.skipped.append(f"{where}: {found}")
                else:
                    preview.additions[found[0]].append(found[1])
            elif kind == "MedicationStatement":
                med = _medication(res, pid, today)
                if isinstance(med, str):
                    preview.skipped.append(f"{where}: {med}")
                else:
                    preview.additions[Section.MEDICATIONS].append(med)
            elif kind != "Patient":
                skipped[kind] += 1
        except (ValidationError, ValueError) as exc:
            preview.skipped.append(f"{where}: {exc}")
    if target_id:
        drop_present(preview, services, target_id)
    preview.skipped += [f"{n} {kind} not imported (only allergies, conditions and medications are)"
                        for kind, n in sorted(skipped.items())]
    return preview


def drop_present(preview: FhirPreview, services: Any, target_id: str) -> None:
    for section, rows in preview.additions.items():
        label = _LABEL_FIELD[section]
        have = {fold(str(getattr(e, label))) for e in services.record.entries(section, target_id)}
        keep = [r for r in rows if fold(str(getattr(r, label))) not in have]
        if len(keep) < len(rows):
            preview.skipped.append(f"{len(rows) - len(keep)} {section.value.replace('_', ' ')} "
                                   f"already on {target_id}'s record")
        preview.additions[section] = keep


def apply_import(preview: FhirPreview, services: Any, *, target_id: str = "",
                 confirm_new: bool = False) -> str:
    """Write the preview; returns the patient ID. ``confirm_new`` registers a new patient
    despite the shown matches (saved with the record as confirmed, as the form does)."""
    if target_id:
        pid = target_id
    else:
        patient = preview.patient
        if confirm_new:
            patient = patient.model_copy(update={"confirmed_not_duplicate_of":
                                                 [m.id for m in preview.matches]})
        pid = services.patients.register(patient).id
    for section, rows in preview.additions.items():
        if rows:
            services.record.add_many(section, [r.model_copy(update={"patient_id": pid})
                                               for r in rows])
    if preview.no_known_allergies and not services.record.entries(
            Section.ALLERGIES, pid, include_inactive=False):
        services.record.set_allergy_statement(pid, AllergyStatement.NO_KNOWN_ALLERGIES)
    return pid
