"""What a spreadsheet can hold and how its columns are recognised.

Each kind of import (patients, EHR lists, appointments, referrals, chronic readings) has
target fields; each target lists the column names it is known by, including the original
system's CSV headers (docs/import.md). A file whose headers cover a kind's required fields
is recognised and mapped without the user's help; the mapping screen can change any of it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    PATIENTS = "patients"
    EHR = "ehr"
    APPOINTMENTS = "appointments"
    REFERRALS = "referrals"
    CHRONIC_READINGS = "chronic_readings"


KIND_TITLES: dict[Kind, str] = {
    Kind.PATIENTS: "Patients", Kind.EHR: "Clinical record lists (EHR)",
    Kind.APPOINTMENTS: "Appointments", Kind.REFERRALS: "Referrals",
    Kind.CHRONIC_READINGS: "Chronic-care readings",
}


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    title: str
    aliases: tuple[str, ...]


def _t(name: str, title: str, *aliases: str) -> Target:
    return Target(name, title, (name, *aliases))


_PATIENT_REF = _t("patient_ref", "Patient ID in the file", "patient_id", "patient", "pat_id",
                  "patient_number", "patient_no")

TARGETS: dict[Kind, tuple[Target, ...]] = {
    Kind.PATIENTS: (
        _t("source_id", "ID in the file", "patient_id", "id", "pat_id", "patient_number",
           "patient_no"),
        _t("full_name", "Full name", "name", "patient_name", "fullname"),
        _t("given_name", "Given name", "first_name", "firstname", "forename", "given"),
        _t("family_name", "Family name", "last_name", "lastname", "surname", "family"),
        _t("date_of_birth", "Date of birth", "dob", "birth_date", "birthdate", "born"),
        _t("age", "Age (years)", "age_years"),
        _t("sex", "Sex", "gender"),
        _t("phone", "Phone", "contact", "contact_number", "contact_no", "phone_number", "mobile",
           "telephone", "tel"),
        _t("email", "E-mail", "e_mail", "email_address", "mail"),
        _t("address", "Address", "home_address", "street_address"),
        _t("blood_group", "Blood group", "blood_type", "bloodgroup"),
        _t("medical_history", "Medical history", "history", "past_medical_history"),
        _t("emergency_name", "Emergency contact name", "emergency_contact_name",
           "emergency_contact", "next_of_kin"),
        _t("emergency_relation", "Emergency contact relation", "emergency_contact_relation",
           "relation", "relationship", "emergency_relationship"),
        _t("emergency_phone", "Emergency contact phone", "emergency_contact_phone",
           "emergency_contact_number", "emergency_number"),
        _t("other_identifier", "Other identifier", "national_id", "nhs_number", "ssn"),
    ),
    Kind.EHR: (
        _PATIENT_REF,
        _t("allergies", "Allergies", "allergy"),
        _t("chronic_conditions", "Chronic conditions", "chronic_condition", "conditions"),
        _t("medications", "Medications", "current_medications", "medication", "drugs"),
        _t("surgeries", "Past surgeries", "past_surgeries", "surgery", "operations"),
        _t("diagnoses", "Diagnoses", "recent_diagnoses", "diagnosis"),
        _t("doctor_notes", "Doctor notes", "notes", "doctor_note", "doctors_notes"),
    ),
    Kind.APPOINTMENTS: (
        _t("source_id", "Appointment ID in the file", "appointment_id", "id", "apt_id"),
        _PATIENT_REF,
        _t("doctor_id", "Doctor ID", "doctor", "provider_id", "doc_id"),
        _t("date", "Date", "appointment_date", "day"),
        _t("time", "Time (HH:MM)", "appointment_time", "start_time", "start"),
        _t("reason", "Reason", "purpose", "description"),
    ),
    Kind.REFERRALS: (
        _t("source_id", "Referral ID in the file", "referral_id", "id", "ref_id"),
        _PATIENT_REF,
        _t("from_department", "From department", "current_department", "department"),
        _t("to_department", "To department", "referred_department", "referred_to",
           "referral_department"),
        _t("reason", "Reason", "referral_reason"),
        _t("referred_by", "Referred by", "doctor", "referring_doctor"),
        _t("notes", "Notes", "note"),
        _t("specialist_available", "Specialist available", "specialist"),
        _t("date", "Date", "referral_date", "created_on", "created"),
    ),
    Kind.CHRONIC_READINGS: (
        _t("source_id", "Reading ID in the file", "reading_id", "id"),
        _PATIENT_REF,
        _t("date", "Date", "reading_date", "timestamp", "measured_on"),
        _t("blood_sugar", "Blood sugar", "glucose", "blood_glucose", "sugar"),
        _t("blood_pressure", "Blood pressure (120/80)", "bp"),
        _t("weight", "Weight (kg)", "weight_kg"),
        _t("notes", "Notes", "note"),
    ),
}

#: Each kind needs every group here: one of the targets in a tuple must be mapped.
REQUIRED: dict[Kind, tuple[tuple[str, ...], ...]] = {
    Kind.PATIENTS: (("full_name", "family_name"), ("date_of_birth", "age")),
    Kind.EHR: (("patient_ref",), ("allergies", "chronic_conditions", "medications", "surgeries",
                                  "diagnoses", "doctor_notes")),
    Kind.APPOINTMENTS: (("patient_ref",), ("doctor_id",), ("date",), ("time",)),
    Kind.REFERRALS: (("patient_ref",), ("to_department",), ("reason",), ("referred_by",)),
    Kind.CHRONIC_READINGS: (("patient_ref",), ("date",),
                            ("blood_sugar", "blood_pressure", "weight")),
}


def normalise(header: str) -> str:
    """'Emergency Contact (Phone)' -> 'emergency_contact_phone'."""
    return re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")


def auto_mapping(kind: Kind, headers: Sequence[str]) -> list[str | None]:
    """The target of each column (None: not imported); each target used at most once."""
    by_alias = {alias: t.name for t in TARGETS[kind] for alias in t.aliases}
    used: set[str] = set()
    out: list[str | None] = []
    for header in headers:
        target = by_alias.get(normalise(header))
        if target in used:
            target = None
        if target is not None:
            used.add(target)
        out.append(target)
    return out


def missing_required(kind: Kind, mapping: Sequence[str | None]) -> list[str]:
    """Titles of required fields nobody mapped, e.g. ["Full name or Family name"]."""
    titles = {t.name: t.title for t in TARGETS[kind]}
    mapped = set(mapping)
    return [" or ".join(titles[name] for name in group) for group in REQUIRED[kind]
            if not mapped & set(group)]


def recognise(headers: Sequence[str]) -> Kind | None:
    """The kind these headers most likely hold, or None when no kind's required fields fit."""
    best: tuple[int, Kind] | None = None
    for kind in Kind:
        mapping = auto_mapping(kind, headers)
        if missing_required(kind, mapping):
            continue
        matched = sum(1 for target in mapping if target is not None)
        if best is None or matched > best[0]:
            best = (matched, kind)
    return best[1] if best else None


def target_titles(kind: Kind) -> dict[str, str]:
    return {t.name: t.title for t in TARGETS[kind]}
