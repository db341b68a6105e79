"""What the record header shows about a patient, from whatever the Patients service returns.

Kept apart from the widget (and tolerant of missing attributes) so the header works with the
Patients feature's model without importing it, and is testable without Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from hms_desktop.domain.patient import age_text


@dataclass(frozen=True, slots=True)
class HeaderFacts:
    patient_id: str
    name: str
    age: str
    sex: str
    blood_group: str
    date_of_birth: str
    status: str = ""  # "deceased", "merged into PAT…", "inactive"; blank for an active patient


def _text(value: Any) -> str:
    text = str(getattr(value, "value", value) or "")
    return "" if text.lower() in ("unknown", "none") else text


def header_facts(patient_id: str, patient: Any | None, today: date | None = None) -> HeaderFacts:
    """Name, age from date of birth (never a stored age), sex and blood group; blanks shown
    as "not recorded" by the widget rather than guessed."""
    if patient is None:
        return HeaderFacts(patient_id, "", "", "", "", "")
    given = str(getattr(patient, "given_name", "") or "")
    family = str(getattr(patient, "family_name", "") or "")
    name = " ".join(p for p in (given, family.upper()) if p) or str(getattr(patient, "name", "") or "")
    birth = getattr(patient, "date_of_birth", None)
    age = ""
    deceased_on = getattr(patient, "deceased_on", None)
    died = deceased_on if isinstance(deceased_on, date) else None
    if isinstance(birth, date):
        age = age_text(birth, today or date.today(), died)
        if died is not None:
            age = f"{age} at death ({died.isoformat()})"
    elif getattr(patient, "age", None) not in (None, ""):
        age = str(patient.age)
    sex = _text(getattr(patient, "sex", "") or getattr(patient, "gender", ""))
    return HeaderFacts(patient_id, name, age, sex, _text(getattr(patient, "blood_group", "")),
                       birth.isoformat() if isinstance(birth, date) else "", _status(patient))


def _status(patient: Any) -> str:
    status = _text(getattr(patient, "status", ""))
    if status in ("", "active"):
        return ""
    if status == "merged" and str(getattr(patient, "merged_into", "") or ""):
        return f"merged into {patient.merged_into}"
    deceased_on = getattr(patient, "deceased_on", None)
    if status == "deceased" and isinstance(deceased_on, date):
        return f"deceased {deceased_on.isoformat()}"
    return status


def find_patient(services: Any, patient_id: str) -> Any | None:
    """The patient from the Patients service, or None when that feature is not present."""
    patients = getattr(services, "patients", None)
    get = getattr(patients, "get", None)
    if not callable(get) or not patient_id:
        return None
    try:
        return get(patient_id)
    except (KeyError, LookupError):
        return None
