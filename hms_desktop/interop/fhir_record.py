"""FHIR R4 resources for the patient and the clinical record (plain dicts, validated later).

Builders are pure: one domain model in, one or more resource dicts out. Plain dicts (not
``fhir.resources`` objects) keep bulk export fast; ``fhir_export`` validates every one of
them with ``fhir.resources`` before it is written.
"""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime
from typing import Any

from hms_desktop.domain.patient import BloodGroup, Patient, PatientStatus
from hms_desktop.domain.record import (
    Allergy,
    AllergySeverity,
    ClinicalNote,
    Diagnosis,
    Medication,
    Problem,
    RecordStatus,
    Surgery,
    Visit,
)

from . import fhir_codes as fc

Resource = dict[str, Any]


def ref(resource_type: str, resource_id: str, display: str = "") -> dict[str, str]:
    out = {"reference": f"{resource_type}/{resource_id}"}
    if display:
        out["display"] = display
    return out


def instant(moment: datetime) -> str:
    """An ISO instant with its offset (stored times are UTC; a naive one is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


def record_identifier(record_id: str) -> list[dict[str, str]]:
    return [{"system": fc.RECORD_ID_SYSTEM, "value": record_id}]


def text_attachment(text: str, title: str) -> dict[str, str]:
    return {"contentType": "text/plain; charset=utf-8", "title": title,
            "data": base64.b64encode(text.encode("utf-8")).decode("ascii")}


# ---------------------------------------------------------------------------- patient
def patient_resource(p: Patient) -> Resource:
    res: Resource = {
        "resourceType": "Patient", "id": p.id,
        "identifier": [{"system": fc.PATIENT_ID_SYSTEM, "value": p.id, "use": "usual"}],
        "active": p.status in (PatientStatus.ACTIVE, PatientStatus.DECEASED),
        "name": [{"use": "official", "family": p.family_name, "given": p.given_name.split(),
                  "text": p.full_name}],
        "gender": p.sex.value,
        "birthDate": p.date_of_birth.isoformat(),
    }
    if p.other_identifier:
        res["identifier"].append({"system": fc.OTHER_ID_SYSTEM, "value": p.other_identifier,
                                  "use": "secondary"})
    telecom = []
    if p.phone:
        telecom.append({"system": "phone", "value": p.phone})
    if p.email:
        telecom.append({"system": "email", "value": p.email})
    if telecom:
        res["telecom"] = telecom
    if p.address:
        res["address"] = [{"text": p.address}]
    if p.deceased_on is not None:
        res["deceasedDateTime"] = p.deceased_on.isoformat()
    if p.emergency_name or p.emergency_phone:
        contact: Resource = {"relationship": [{"coding": [fc.coding(
            "http://terminology.hl7.org/CodeSystem/v2-0131", "C", "Emergency Contact")]}]}
        if p.emergency_relation:
            contact["relationship"].append({"text": p.emergency_relation})
        if p.emergency_name:
            contact["name"] = {"text": p.emergency_name}
        if p.emergency_phone:
            contact["telecom"] = [{"system": "phone", "value": p.emergency_phone}]
        res["contact"] = [contact]
    if p.merged_into:
        res["link"] = [{"other": ref("Patient", p.merged_into), "type": "replaced-by"}]
    return res


def blood_group_resource(p: Patient) -> Resource | None:
    if p.blood_group is BloodGroup.UNKNOWN:
        return None
    group = p.blood_group.value
    return {
        "resourceType": "Observation", "id": f"{p.id}-blood-group", "status": "final",
        "category": [fc.concept(fc.OBSERVATION_CATEGORY, "laboratory", "Laboratory")],
        "code": fc.concept(fc.LOINC, *fc.BLOOD_GROUP),
        "subject": ref("Patient", p.id),
        "valueCodeableConcept": fc.concept(fc.SNOMED, fc.BLOOD_GROUP_SNOMED[group], text=group),
    }


def history_resource(p: Patient) -> Resource | None:
    """The free-text medical history (the original system's field) as a narrative document."""
    if not p.medical_history:
        return None
    return {
        "resourceType": "DocumentReference", "id": f"{p.id}-history", "status": "current",
        "type": fc.concept(fc.LOINC, *fc.HISTORY_NOTE),
        "subject": ref("Patient", p.id),
        "content": [{"attachment": text_attachment(p.medical_history, "Medical history")}],
    }


# ---------------------------------------------------------------------------- record
def allergy_resource(a: Allergy) -> Resource:
    active = a.status is RecordStatus.ACTIVE
    res: Resource = {
        "resourceType": "AllergyIntolerance", "id": a.id, "identifier": record_identifier(a.id),
        "clinicalStatus": fc.concept(fc.ALLERGY_CLINICAL, "active" if active else "inactive"),
        "verificationStatus": fc.concept(fc.ALLERGY_VERIFICATION, "confirmed"),
        "criticality": _criticality(a.severity),
        "code": {"text": a.substance},
        "patient": ref("Patient", a.patient_id),
        "recordedDate": a.noted_on.isoformat(),
        "reaction": [{"manifestation": [{"text": a.reaction or "not recorded"}]}],
    }
    if a.severity is not AllergySeverity.UNKNOWN:  # FHIR has no "unknown": leave it out
        res["reaction"][0]["severity"] = fc.ALLERGY_SEVERITY[a.severity.value]
    if a.severity is AllergySeverity.LIFE_THREATENING:
        res["note"] = [{"text": "severity: life-threatening"}]
    return res


def _criticality(severity: AllergySeverity) -> str:
    if severity is AllergySeverity.UNKNOWN:
        return "unable-to-assess"
    return "high" if severity in (AllergySeverity.SEVERE, AllergySeverity.LIFE_THREATENING) else "low"


def no_known_allergy_resource(patient_id: str) -> Resource:
    return {
        "resourceType": "AllergyIntolerance", "id": f"{patient_id}-nka",
        "clinicalStatus": fc.concept(fc.ALLERGY_CLINICAL, "active"),
        "verificationStatus": fc.concept(fc.ALLERGY_VERIFICATION, "confirmed"),
        "code": fc.concept(fc.SNOMED, *fc.NO_KNOWN_ALLERGY),
        "patient": ref("Patient", patient_id),
    }


def problem_resource(pr: Problem) -> Resource:
    categories = [fc.concept(fc.CONDITION_CATEGORY, "problem-list-item", "Problem List Item")]
    if pr.chronic:
        categories.append(fc.concept(fc.HMS_CATEGORY, fc.CHRONIC_CATEGORY, "Chronic condition"))
    res: Resource = {
        "resourceType": "Condition", "id": pr.id, "identifier": record_identifier(pr.id),
        "clinicalStatus": fc.concept(fc.CONDITION_CLINICAL, pr.status.value),
        "category": categories, "code": {"text": pr.condition},
        "subject": ref("Patient", pr.patient_id),
    }
    if pr.onset is not None:
        res["onsetDateTime"] = pr.onset.isoformat()
    if pr.note:
        res["note"] = [{"text": pr.note}]
    return res


def diagnosis_resource(d: Diagnosis) -> Resource:
    code: Resource = {"text": d.description}
    if d.icd10:
        code["coding"] = [fc.coding(fc.ICD10, d.icd10)]
    return {
        "resourceType": "Condition", "id": d.id, "identifier": record_identifier(d.id),
        "clinicalStatus": fc.concept(fc.CONDITION_CLINICAL,
                                     "active" if d.status is RecordStatus.ACTIVE else "inactive"),
        "category": [fc.concept(fc.CONDITION_CATEGORY, "encounter-diagnosis", "Encounter Diagnosis")],
        "code": code, "subject": ref("Patient", d.patient_id),
        "recordedDate": d.diagnosed_on.isoformat(),
        "recorder": {"display": d.doctor},
    }


def programme_condition_resources(enrolment_id: str, patient_id: str, diseases: list[str],
                                  enrolled_on: date, active: bool) -> list[Resource]:
    """Diseases a patient is enrolled in the chronic-care programme for."""
    return [{
        "resourceType": "Condition", "id": f"{enrolment_id}-{n}",
        "clinicalStatus": fc.concept(fc.CONDITION_CLINICAL, "active" if active else "inactive"),
        "category": [fc.concept(fc.CONDITION_CATEGORY, "problem-list-item", "Problem List Item"),
                     fc.concept(fc.HMS_CATEGORY, fc.PROGRAMME_CATEGORY, "Chronic care programme")],
        "code": {"text": disease}, "subject": ref("Patient", patient_id),
        "recordedDate": enrolled_on.isoformat(),
    } for n, disease in enumerate(diseases, start=1)]


def medication_resource(m: Medication) -> Resource:
    period: Resource = {"start": m.start.isoformat()}
    if m.stop is not None:
        period["end"] = m.stop.isoformat()
    res: Resource = {
        "resourceType": "MedicationStatement", "id": m.id, "identifier": record_identifier(m.id),
        "status": fc.MEDICATION_STATUS[m.status.value],
        "medicationCodeableConcept": {"text": m.name},
        "subject": ref("Patient", m.patient_id),
        "effectivePeriod": period,
        "dosage": [{
            "text": f"{m.dose:g} {m.unit} {m.frequency}",
            "route": {"text": m.route},
            "timing": {"code": {"text": m.frequency}},
            "doseAndRate": [{"doseQuantity": {"value": m.dose, "unit": m.unit}}],
        }],
    }
    if m.prescriber:
        res["informationSource"] = {"display": m.prescriber}
    return res


def surgery_resource(s: Surgery) -> Resource:
    res: Resource = {
        "resourceType": "Procedure", "id": s.id, "identifier": record_identifier(s.id),
        "status": "completed" if s.status is RecordStatus.ACTIVE else "entered-in-error",
        "code": {"text": s.procedure}, "subject": ref("Patient", s.patient_id),
        "performedDateTime": s.performed_on.isoformat(),
    }
    if s.note:
        res["note"] = [{"text": s.note}]
    return res


def visit_resource(v: Visit) -> Resource:
    participant: Resource = {"individual": {"display": v.doctor}}
    if v.provider_id:
        participant["individual"] = ref("Practitioner", v.provider_id, v.doctor)
    res: Resource = {
        "resourceType": "Encounter", "id": v.id, "identifier": record_identifier(v.id),
        "status": "finished" if v.status is RecordStatus.ACTIVE else "entered-in-error",
        "class": fc.coding(fc.ACT_CODE, "AMB", "ambulatory"),
        "subject": ref("Patient", v.patient_id),
        "participant": [participant],
        "period": {"start": instant(v.at)},
    }
    reasons = [{"text": text} for text in (v.symptoms, v.diagnosis) if text]
    if reasons:
        res["reasonCode"] = reasons
    if v.appointment_id:
        res["appointment"] = [ref("Appointment", v.appointment_id)]
    return res


def note_resource(n: ClinicalNote) -> Resource:
    res: Resource = {
        "resourceType": "DocumentReference", "id": n.id, "identifier": record_identifier(n.id),
        "status": "current" if n.status is RecordStatus.ACTIVE else "entered-in-error",
        "type": fc.concept(fc.LOINC, *fc.PROGRESS_NOTE),
        "subject": ref("Patient", n.patient_id), "date": instant(n.at),
        "author": [{"display": n.author}],
        "content": [{"attachment": text_attachment(n.text, "Clinical note")}],
    }
    if n.amends:
        res["relatesTo"] = [{"code": "appends", "target": ref("DocumentReference", n.amends)}]
    return res
