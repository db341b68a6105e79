"""Code systems and codes used in the FHIR export, in one place so tests can check them.

The FHIR library validates structure, not terminology: these tables are the terminology.
LOINC codes follow the FHIR R4 vital-signs profile (hl7.org/fhir/R4/observation-vitalsigns);
units are UCUM (unitsofmeasure.org). SNOMED CT codes are the international edition's, and
the NEWS2 total score code is the UK extension's observable entity.
"""

from __future__ import annotations

from dataclasses import dataclass

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
ALLERGY_VERIFICATION = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"

# Our own identifier and code systems (URNs: no web address is implied).
PATIENT_ID_SYSTEM = "urn:hms-desktop:patient-id"
OTHER_ID_SYSTEM = "urn:hms-desktop:other-identifier"
RECORD_ID_SYSTEM = "urn:hms-desktop:record-id"
PROVIDER_ID_SYSTEM = "urn:hms-desktop:provider-id"
HMS_CATEGORY = "urn:hms-desktop:category"
NEWS2_PARAMETER = "urn:hms-desktop:news2-parameter"
NEWS2_RISK = "urn:hms-desktop:news2-risk"

CHRONIC_CATEGORY = "chronic"  # in HMS_CATEGORY: a problem marked chronic
PROGRAMME_CATEGORY = "chronic-programme"  # in HMS_CATEGORY: a disease of a care-programme enrolment


@dataclass(frozen=True, slots=True)
class Vital:
    """One vital sign: LOINC code and display, UCUM unit code and its human form."""

    loinc: str
    display: str
    ucum: str
    unit: str


#: Keyed by the field name of ``domain.observations.Observation`` (or the device series).
VITALS: dict[str, Vital] = {
    "respiration_rate": Vital("9279-1", "Respiratory rate", "/min", "breaths/minute"),
    "pulse": Vital("8867-4", "Heart rate", "/min", "beats/minute"),
    "spo2": Vital("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", "%", "%"),
    "temperature": Vital("8310-5", "Body temperature", "Cel", "C"),
    "weight_kg": Vital("29463-7", "Body weight", "kg", "kg"),
    "glucose_mmol_l": Vital("15074-8", "Glucose [Moles/volume] in Blood", "mmol/L", "mmol/L"),
    "systolic": Vital("8480-6", "Systolic blood pressure", "mm[Hg]", "mmHg"),
    "diastolic": Vital("8462-4", "Diastolic blood pressure", "mm[Hg]", "mmHg"),
}
#: The vital-signs profile also asks SpO2 to carry the generic oxygen saturation code.
SPO2_GENERIC = ("2708-6", "Oxygen saturation in Arterial blood")
BLOOD_PRESSURE_PANEL = ("85354-9", "Blood pressure panel with all children optional")
CONSCIOUSNESS = ("80288-4", "Level of consciousness")
BLOOD_GROUP = ("882-1", "ABO and Rh group [Type] in Blood")
NEWS2_TOTAL = ("1104051000000101",
               "Royal College of Physicians National Early Warning Score 2 (NEWS2) total score")
NO_KNOWN_ALLERGY = ("716186003", "No known allergy")
PROGRESS_NOTE = ("11506-3", "Progress note")
REFERRAL_NOTE = ("57133-1", "Referral note")
HISTORY_NOTE = ("11348-0", "History of Past illness Narrative")

#: ABO/Rh groups as SNOMED CT findings ("Blood group A Rh(D) positive" ...).
BLOOD_GROUP_SNOMED: dict[str, str] = {
    "A+": "278149003", "A-": "278152006", "B+": "278150003", "B-": "278153001",
    "AB+": "278151004", "AB-": "278154007", "O+": "278147001", "O-": "278148006",
}

#: Allergy severity: FHIR has mild | moderate | severe; life-threatening is severe with
#: criticality high (criticality is the risk of a future reaction, severity the past one).
ALLERGY_SEVERITY: dict[str, str] = {"mild": "mild", "moderate": "moderate", "severe": "severe",
                                    "life-threatening": "severe"}

MEDICATION_STATUS: dict[str, str] = {"active": "active", "stopped": "stopped",
                                     "inactive": "entered-in-error"}
APPOINTMENT_STATUS: dict[str, str] = {"booked": "booked", "checked_in": "checkedin",
                                      "completed": "fulfilled", "cancelled": "cancelled",
                                      "no_show": "noshow"}
REFERRAL_STATUS: dict[str, str] = {"draft": "draft", "sent": "active",
                                   "appointment booked": "active", "seen": "active",
                                   "report received": "completed", "cancelled": "revoked"}
REFERRAL_PRIORITY: dict[str, str] = {"routine": "routine", "soon": "urgent", "urgent": "asap"}
NEWS2_PARAMETERS: dict[str, str] = {
    "respiration_rate": "Respiration rate", "spo2": "Oxygen saturation",
    "air_or_oxygen": "Air or oxygen", "systolic": "Systolic blood pressure",
    "pulse": "Pulse", "consciousness": "Consciousness", "temperature": "Temperature",
}


def coding(system: str, code: str, display: str = "") -> dict[str, str]:
    out = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def concept(system: str, code: str, display: str = "", text: str = "") -> dict[str, object]:
    out: dict[str, object] = {"coding": [coding(system, code, display)]}
    if text:
        out["text"] = text
    return out


def quantity(value: float, vital: Vital) -> dict[str, object]:
    return {"value": value, "unit": vital.unit, "system": UCUM, "code": vital.ucum}
