"""The patient: demographics model and the rules a registration must pass.

Age is never stored (it goes stale, a defect of the original system); it is derived from the
date of birth when shown. Patients are never deleted: they become inactive, deceased or
merged into another record, so every reference and every version stays readable.

``parse_patient_form`` is the single place raw form text becomes a valid ``Patient``: the
registration form, the service and the demo generator all go through it, so a rule cannot
differ between the screen and the file.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hms_desktop.domain.field_limits import FIELD_LIMITS, limit

#: Used until the clinic settings provide ``phone_region`` (the one place this default lives).
DEFAULT_PHONE_REGION = "GB"
EARLIEST_BIRTH = date(1890, 1, 1)


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"
    OTHER = "other"
    UNKNOWN = "unknown"


class BloodGroup(StrEnum):
    A_POS = "A+"
    A_NEG = "A-"
    B_POS = "B+"
    B_NEG = "B-"
    AB_POS = "AB+"
    AB_NEG = "AB-"
    O_POS = "O+"
    O_NEG = "O-"
    UNKNOWN = "unknown"


class PatientStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    DECEASED = "deceased"
    MERGED = "merged"


class Patient(BaseModel):
    """One person's demographics. Every save of it is a new version kept by the storage engine."""

    model_config = ConfigDict(validate_assignment=False, extra="forbid")

    id: str = ""
    given_name: str = Field(max_length=limit("Patient", "given_name"))
    family_name: str = Field(max_length=limit("Patient", "family_name"))
    date_of_birth: date
    sex: Sex = Sex.UNKNOWN
    phone: str = Field(default="", max_length=limit("Patient", "phone"))  # E.164, e.g. +447911123456
    email: str = Field(default="", max_length=limit("Patient", "email"))
    address: str = Field(default="", max_length=limit("Patient", "address"))
    blood_group: BloodGroup = BloodGroup.UNKNOWN
    emergency_name: str = Field(default="", max_length=limit("Patient", "emergency_name"))
    emergency_relation: str = Field(default="", max_length=limit("Patient", "emergency_relation"))
    emergency_phone: str = Field(default="", max_length=limit("Patient", "emergency_phone"))  # E.164
    medical_history: str = Field(default="", max_length=limit("Patient", "medical_history"))
    other_identifier: str = Field(default="", max_length=limit("Patient", "other_identifier"))  # e.g. a national ID
    status: PatientStatus = PatientStatus.ACTIVE
    deceased_on: date | None = None
    merged_into: str = ""
    merged_from: list[str] = Field(default_factory=list)
    # IDs the registering user saw as possible duplicates and confirmed "new patient" against.
    confirmed_not_duplicate_of: list[str] = Field(default_factory=list)

    @field_validator("given_name", "family_name")
    @classmethod
    def _name_present(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("is required")
        return value

    @field_validator("phone", "emergency_phone")
    @classmethod
    def _e164(cls, value: str) -> str:
        # The model only checks the stored shape; parse_phone does the real validation from text.
        if value and not (value.startswith("+") and value[1:].isdigit() and 8 <= len(value) <= 16):
            raise ValueError("must be an E.164 number like +447911123456")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Patient:
        if self.date_of_birth < EARLIEST_BIRTH:
            raise ValueError(f"date_of_birth: before {EARLIEST_BIRTH.isoformat()}")
        if self.status is PatientStatus.DECEASED and self.deceased_on is None:
            raise ValueError("deceased_on: required when the patient is deceased")
        if self.deceased_on is not None and self.deceased_on < self.date_of_birth:
            raise ValueError("deceased_on: before the date of birth")
        if self.status is PatientStatus.MERGED and not self.merged_into:
            raise ValueError("merged_into: required when the patient is merged")
        return self

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age(self, today: date) -> int:
        return age_on(self.date_of_birth, today)


def age_on(born: date, today: date) -> int:
    """Completed years on ``today`` (a 29 February birthday turns over on 1 March)."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _months_between(born: date, on: date) -> int:
    return (on.year - born.year) * 12 + on.month - born.month - (on.day < born.day)


def age_text(born: date, today: date, died: date | None = None) -> str:
    """Age as a clinician reads it: days under a week, weeks under 8 weeks, months under
    2 years, then years; for the dead, the age they reached ("aged 70"), never still counting."""
    on = died if died is not None and died <= today else today
    days = (on - born).days
    if days < 0:
        return ""
    if days < 7:
        text = f"{days} day" + ("" if days == 1 else "s")
    elif days < 56:
        text = f"{days // 7} weeks" if days >= 14 else "1 week"
    elif (months := _months_between(born, on)) < 24:
        text = f"{months} month" + ("" if months == 1 else "s")
    else:
        text = str(age_on(born, on))
    return text


# Letters Unicode does not decompose into base + accent, spelled as a keyboard without them would.
_NO_DECOMPOSITION = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th",
                                   "æ": "ae", "œ": "oe", "ħ": "h"})


def fold(text: str) -> str:
    """Lower-case and strip accents so "Zoë Ñúñez" matches "zoe nunez" (search and duplicates)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_NO_DECOMPOSITION))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_APOSTROPHES = "'\u2019\u02bc"


def name_words(text: str) -> list[str]:
    """Folded words of a name; hyphens and apostrophes split words ("Smith-Jones", "O'Neil")."""
    cleaned = "".join(ch if ch.isalnum() else " " for ch in fold(text))
    return cleaned.split()


def search_words(text: str) -> list[str]:
    """``name_words`` plus the joined form of a name with an apostrophe: people type "obrien"
    for "O'Brien" as often as "o brien" (search only; duplicate scoring uses name_words)."""
    words = name_words(text)
    for part in fold(text).replace("-", " ").split():
        if any(a in part for a in _APOSTROPHES):
            joined = "".join(ch for ch in part if ch.isalnum())
            if joined and joined not in words:
                words.append(joined)
    return words


# ---------------------------------------------------------------- field rules (raw text in)

class FieldError(ValueError):
    """A message for one form field; ``field`` is the Patient attribute it belongs to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


#: (typed text, region) -> E.164 of numbers found valid lately, and each E.164 under itself:
#: the registration service checks again the number the form has just parsed (~0.1 ms each).
_VALID_PHONES: dict[tuple[str, str], str] = {}
_VALID_PHONES_KEPT = 4096


def parse_phone(text: str, region: str = DEFAULT_PHONE_REGION) -> str:
    """Return the E.164 form of a typed phone number ("" stays ""); raise ValueError if invalid."""
    text = text.strip()
    if not text:
        return ""
    known = _VALID_PHONES.get((text, region))
    if known is not None:
        return known
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError("is not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"is not a valid number (region {region} assumed without +country code)")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if len(_VALID_PHONES) >= _VALID_PHONES_KEPT:
        _VALID_PHONES.clear()
    _VALID_PHONES[(text, region)] = _VALID_PHONES[(e164, region)] = e164
    return e164


@lru_cache(maxsize=8192)
def format_phone(e164: str) -> str:
    """Readable international form for display; the stored E.164 text if it cannot be parsed.

    Cached: a list view repaints the same visible rows many times a second.
    """
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def parse_email(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from exc


_DATE_HINT = "use YYYY-MM-DD or DD/MM/YYYY"


def parse_birth_date(text: str, today: date) -> date:
    """Accept ISO (1984-03-07) or day-first (07/03/1984, 7.3.1984); never a future date."""
    text = text.strip()
    if not text:
        raise ValueError("is required")
    try:
        if "-" in text:
            born = date.fromisoformat(text)
        else:
            parts = text.replace(".", "/").split("/")
            if len(parts) != 3 or len(parts[2]) != 4:
                raise ValueError(_DATE_HINT)
            born = date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError as exc:
        raise ValueError(f"is not a date ({_DATE_HINT})") from exc
    if born > today:
        raise ValueError("is in the future")
    if born < EARLIEST_BIRTH:
        raise ValueError(f"is before {EARLIEST_BIRTH.isoformat()}")
    return born


def _choice(enum: type[StrEnum], text: str) -> StrEnum:
    wanted = text.strip().casefold() or "unknown"
    for member in enum:
        if member.value.casefold() == wanted or member.name.casefold() == wanted:
            return member
    raise ValueError(f"must be one of {', '.join(m.value for m in enum)}")


def _required(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise ValueError("is required")
    return text


def _plain(text: str) -> str:
    return text.strip()


@dataclass(frozen=True)
class FormContext:
    today: date
    phone_region: str = DEFAULT_PHONE_REGION


def _within_limit(field: str, rule: Any) -> Any:
    """``rule`` preceded by the field's length limit (field_limits), so a 480-character name is
    refused as typed with the same words the service uses, before any other rule runs."""
    most = limit("Patient", field)

    def checked(text: str) -> Any:
        if len(text) > most:
            raise ValueError(f"is too long: {len(text):,} characters, at most {most:,}")
        return rule(text)

    return checked


def _field_rules(ctx: FormContext) -> dict[str, Any]:
    """Form order = the order fields are checked in, so "the first bad field" is well defined."""
    rules = _text_rules(ctx)
    return {field: _within_limit(field, rule) if f"Patient.{field}" in FIELD_LIMITS else rule
            for field, rule in rules.items()}


def _text_rules(ctx: FormContext) -> dict[str, Any]:
    return {
        "given_name": _required,
        "family_name": _required,
        "date_of_birth": lambda t: parse_birth_date(t, ctx.today),
        "sex": lambda t: _choice(Sex, t),
        "phone": lambda t: parse_phone(t, ctx.phone_region),
        "email": parse_email,
        "address": _plain,
        "blood_group": lambda t: _choice(BloodGroup, t),
        "emergency_name": _plain,
        "emergency_relation": _plain,
        "emergency_phone": lambda t: parse_phone(t, ctx.phone_region),
        "medical_history": _plain,
        "other_identifier": _plain,
    }


FORM_FIELDS: tuple[str, ...] = tuple(_field_rules(FormContext(date.today())))


def check_field(field: str, text: str, ctx: FormContext) -> str | None:
    """The message to show beside one field as the user types, or None when it is fine."""
    try:
        _field_rules(ctx)[field](text)
    except ValueError as exc:
        return str(exc)
    return None


def parse_patient_form(
    values: Mapping[str, str], ctx: FormContext, *, base: Patient | None = None
) -> tuple[Patient | None, dict[str, str]]:
    """Turn form text into a Patient, or return every field's message (in form order).

    ``base`` is the record being edited: fields not in the form (status, merge links) keep
    their value. Nothing is returned half-valid: either a Patient or errors.
    """
    errors: dict[str, str] = {}
    parsed: dict[str, Any] = {}
    for field, rule in _field_rules(ctx).items():
        try:
            parsed[field] = rule(values.get(field, ""))
        except ValueError as exc:
            errors[field] = str(exc)
    if errors:
        return None, errors
    data = base.model_dump() if base is not None else {}
    data.update(parsed)
    try:
        return Patient.model_validate(data), {}
    except ValueError as exc:  # cross-field rules (e.g. deceased before birth)
        return None, {"date_of_birth": str(exc)}


def patient_form_values(patient: Patient) -> dict[str, str]:
    """The text a form shows for an existing patient (inverse of parse_patient_form)."""
    return {
        field: (value.isoformat() if isinstance(value, date) else str(value))
        for field, value in patient.model_dump().items()
        if field in FORM_FIELDS
    }


# ---------------------------------------------------------------- history

@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def diff_patients(old: Patient | None, new: Patient) -> list[FieldChange]:
    """Field-by-field changes between two versions (every set field when ``old`` is None)."""
    before = old.model_dump() if old is not None else {}
    changes = []
    for field, value in new.model_dump().items():
        if field == "id":
            continue
        was, now = _cell(before.get(field)), _cell(value)
        if was != now:
            changes.append(FieldChange(field, was, now))
    return changes


def merged_demographics(survivor: Patient, other: Patient) -> Patient:
    """The survivor after absorbing ``other``: it keeps its own values and gains what it lacked.

    Nothing of ``other`` is lost: empty survivor fields are filled, differing medical
    histories are joined, and ``other`` itself stays readable (marked merged-into).
    """
    data = survivor.model_dump()
    for field in FORM_FIELDS:
        mine, theirs = data[field], getattr(other, field)
        if field == "medical_history" and theirs and theirs != mine:
            data[field] = f"{mine}\n[from {other.id}] {theirs}".strip()
        elif mine in ("", None, Sex.UNKNOWN, BloodGroup.UNKNOWN) and theirs not in ("", None):
            data[field] = theirs
    data["merged_from"] = [*survivor.merged_from, other.id, *other.merged_from]
    return Patient.model_validate(data)


class RecentPatient(BaseModel):
    """A patient opened at this clinic recently; ``id`` is the patient's ID (one row each)."""

    id: str
    opened_at: datetime
