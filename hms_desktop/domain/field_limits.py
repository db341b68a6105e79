"""The one table of how long each text field may be, for every form, model and service.

Why limits at all: a 480-character family name pushed the Record window to 7,867 px, and a
text cell longer than Python's csv default (131,072 characters) was acknowledged and then lost
at the next start. A name has a sensible maximum; a clinical note may be long, but the
storage engine promises to round-trip cells of 1,000,000 characters and no more, so that is the
ceiling of the longest field.

Limits count characters (what a person sees and what Python's csv module counts), not bytes.
The models declare ``Field(max_length=limit(...))`` from this table, the services call
``check_limits`` before writing (a model built with ``model_construct`` skips validation), and
the forms show a live message naming the field from ``too_long_message``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from pydantic import BaseModel

NAME = 100  # a given or family name, a contact's name
PERSON = 120  # "Dr A. Author" as typed into author / doctor / prescriber fields
LABEL = 200  # one line naming a thing: an allergy substance, a condition, a medication
ADDRESS = 500
PHONE_TYPED = 40  # what a person may type before it is normalised to E.164
EMAIL = 254  # RFC 5321's longest deliverable address
IDENTIFIER = 64
SHORT = 80  # a relation ("mother"), a frequency ("twice daily"), a department
FREE_TEXT = 20_000  # a multi-line record field: symptoms, treatment, a problem's note
NOTE = 1_000_000  # a clinical note or a medical-history summary: the storage engine's ceiling

_TABLE: dict[str, int] = {
    # Patient demographics (domain/patient.py)
    "Patient.given_name": NAME, "Patient.family_name": NAME,
    "Patient.phone": PHONE_TYPED, "Patient.email": EMAIL, "Patient.address": ADDRESS,
    "Patient.emergency_name": NAME, "Patient.emergency_relation": SHORT,
    "Patient.emergency_phone": PHONE_TYPED, "Patient.medical_history": NOTE,
    "Patient.other_identifier": IDENTIFIER,
    # The clinical record (domain/record.py)
    "Allergy.substance": LABEL, "Allergy.reaction": 500,
    "Problem.condition": LABEL, "Problem.note": FREE_TEXT,
    "Medication.name": LABEL, "Medication.unit": 20, "Medication.route": 40,
    "Medication.frequency": SHORT, "Medication.prescriber": PERSON,
    "AllergyOverride.reason": 500,  # why a drug was prescribed despite a recorded allergy
    "Surgery.procedure": LABEL, "Surgery.note": FREE_TEXT,
    "Diagnosis.description": 300, "Diagnosis.icd10": 8, "Diagnosis.doctor": PERSON,
    "ClinicalNote.author": PERSON, "ClinicalNote.text": NOTE,
    "Visit.doctor": PERSON, "Visit.symptoms": FREE_TEXT, "Visit.diagnosis": FREE_TEXT,
    "Visit.treatment": FREE_TEXT,
    # Scheduling and referrals (checked by their services)
    "Provider.name": PERSON, "Provider.department": SHORT, "Room.name": SHORT,
    "Appointment.reason": LABEL, "Appointment.cancel_reason": 500, "Series.reason": LABEL,
    "Referral.reason": FREE_TEXT, "Referral.notes": FREE_TEXT, "Referral.cancel_reason": 500,
    "Referral.referred_by": PERSON,
}

#: ``"Model.field" -> most characters``; read-only so nothing changes a limit at run time.
FIELD_LIMITS: Mapping[str, int] = MappingProxyType(_TABLE)


def limit(model: str, field: str) -> int:
    """The limit of ``model.field`` (KeyError for a field the table forgot: a test lists them)."""
    return FIELD_LIMITS[f"{model}.{field}"]


def too_long_message(title: str, text: str, most: int) -> str | None:
    """"Family name is too long: 480 characters, at most 100." or None when it fits."""
    if len(text) <= most:
        return None
    return f"{title} is too long: {len(text):,} characters, at most {most:,}."


class FieldTooLongError(ValueError):
    """A value longer than its field's limit; ``field`` is the attribute name."""

    def __init__(self, model: str, field: str, length: int, most: int) -> None:
        title = field.replace("_", " ").capitalize()
        super().__init__(f"{title} ({field}) is too long: {length:,} characters, at most {most:,}. Not saved.")
        self.model = model
        self.field = field


def check_limits(record: BaseModel) -> None:
    """Refuse a record whose text exceeds the table (services call this before every write)."""
    model = type(record).__name__
    for name in type(record).model_fields:
        most = FIELD_LIMITS.get(f"{model}.{name}")
        value = getattr(record, name, None)
        if most is not None and isinstance(value, str) and len(value) > most:
            raise FieldTooLongError(model, name, len(value), most)
