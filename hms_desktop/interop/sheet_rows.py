"""One spreadsheet row -> the domain record it describes, or every field's reason it cannot.

Rules come from the domain (``parse_patient_form`` for patients, the models' validators for
the rest), so an imported row passes exactly the checks a typed one does. Values the source
cannot carry exactly (an age instead of a date of birth, a surgery without a date) are never
invented silently: they become an estimate flagged for confirmation, or a clinical note that
says what was imported and why.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError

from hms_desktop.domain.birth_date_estimates import estimate_birth_date
from hms_desktop.domain.chronic import ChronicReading, mg_dl_to_mmol
from hms_desktop.domain.patient import FormContext, parse_patient_form
from hms_desktop.domain.record import (
    Allergy,
    AllergySeverity,
    ClinicalNote,
    Medication,
    Problem,
    Section,
)
from hms_desktop.domain.referrals import Referral
from hms_desktop.domain.schedule_time import parse_hhmm, wall_to_utc
from hms_desktop.domain.scheduling import Appointment, Provider

ORIGINAL_ID_PREFIX = "original:"
IMPORT_AUTHOR = "Import from the original system"
#: A blood sugar above this cannot be mmol/L (35 mmol/L is beyond any meter): it is mg/dL.
MG_DL_ABOVE = 35.0


class DateOrder(StrEnum):
    DAY_FIRST = "dd/mm/yyyy"
    MONTH_FIRST = "mm/dd/yyyy"


class RowErrors(Exception):
    """Every problem of one row as (target field, reason)."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{f}: {r}" for f, r in errors))
        self.errors = errors


@dataclass(frozen=True)
class RowContext:
    today: date
    date_order: DateOrder
    phone_region: str
    zone: ZoneInfo
    resolve_patient: Callable[[str], str | None] = lambda ref: None
    provider: Callable[[str], Provider | None] = lambda pid: None
    departments: frozenset[str] = frozenset()


@dataclass
class Parsed:
    """What one row becomes; ``records`` maps a section/kind to new (unsaved) models."""

    records: dict[str, list[BaseModel]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    source_id: str = ""
    age: int | None = None
    patient_id: str = ""  # the existing patient the row belongs to (not for patient rows)

    def add(self, key: str, record: BaseModel) -> None:
        self.records.setdefault(key, []).append(record)


# ---------------------------------------------------------------------------- values
_DATE_SPLIT = re.compile(r"[/.\-]")


def parse_date(text: str, order: DateOrder) -> date:
    """ISO 2024-03-07 always; otherwise day/month/year or month/day/year as chosen.

    Two-digit years are refused: 03/04/05 has too many readings to guess one.
    """
    text = text.strip()
    if not text:
        raise ValueError("is required")
    head = text.split(" ")[0].split("T")[0]
    parts = _DATE_SPLIT.split(head)
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(f"{text!r} is not a date ({order.value} or YYYY-MM-DD)")
    try:
        if len(parts[0]) == 4:
            return date(int(parts[0]), int(parts[1]), int(parts[2]))
        if len(parts[2]) != 4:
            raise ValueError(f"{text!r}: the year needs four digits")
        first, second, year = (int(p) for p in parts)
        day, month = (first, second) if order is DateOrder.DAY_FIRST else (second, first)
        return date(year, month, day)
    except ValueError as exc:
        if "four digits" in str(exc):
            raise
        raise ValueError(f"{text!r} is not a valid date as {order.value}") from None


def parse_time_of(text: str) -> time | None:
    """The HH:MM after a date in the same cell ("2024-03-07 14:30"), if any."""
    rest = text.strip().replace("T", " ").split(" ", 1)
    return parse_hhmm(rest[1][:5]) if len(rest) == 2 and rest[1].strip() else None


def parse_number(text: str, what: str) -> float:
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        raise ValueError(f"{text!r} is not a number ({what})") from None


_SEX = {"m": "male", "male": "male", "man": "male", "f": "female", "female": "female",
        "woman": "female", "o": "other", "other": "other", "u": "unknown", "unknown": "unknown",
        "": "unknown"}
_BLOOD = re.compile(r"^(AB|A|B|O)\s*(\+|-|POS(ITIVE)?|NEG(ATIVE)?|RH\+|RH-)$")


def normalise_sex(text: str) -> str:
    return _SEX.get(text.strip().lower(), text)


def normalise_blood_group(text: str) -> str:
    cleaned = text.strip().upper().replace("VE", "")
    if cleaned in ("", "UNKNOWN", "?", "N/A", "NA"):
        return "unknown"
    match = _BLOOD.match(cleaned)
    if not match:
        return text
    sign = "+" if match.group(2) in ("+", "POS", "POSITIVE", "RH+") or \
        match.group(2).startswith("POS") else "-"
    return match.group(1) + sign


def split_list(text: str) -> list[str]:
    """The original system's comma-joined list cells ("Penicillin, Peanuts"); ";" works too."""
    return [item.strip() for item in re.split(r"[,;]", text) if item.strip()]


def _model_errors(exc: ValidationError, default_field: str) -> list[tuple[str, str]]:
    out = []
    for err in exc.errors():
        loc = str(err["loc"][0]) if err["loc"] else default_field
        out.append((loc, str(err["msg"]).removeprefix("Value error, ")))
    return out


# ---------------------------------------------------------------------------- patients
_FORM_FIELDS = ("given_name", "family_name", "sex", "phone", "email", "address", "blood_group",
                "emergency_name", "emergency_relation", "emergency_phone", "medical_history",
                "other_identifier")


def split_full_name(full: str) -> tuple[str, str]:
    """"Family, Given" or "Given Middle Family" -> (given, family)."""
    full = " ".join(full.split())
    if "," in full:
        family, given = (p.strip() for p in full.split(",", 1))
        return given, family
    words = full.rsplit(" ", 1)
    return (words[0], words[1]) if len(words) == 2 else ("", full)


def parse_patient(cells: Mapping[str, str], ctx: RowContext) -> Parsed:
    errors: list[tuple[str, str]] = []
    out = Parsed(source_id=cells.get("source_id", "").strip())
    values = {name: cells.get(name, "") for name in _FORM_FIELDS}
    if cells.get("full_name", "").strip():
        given, family = split_full_name(cells["full_name"])
        values["given_name"] = values["given_name"] or given
        values["family_name"] = values["family_name"] or family
    values["sex"] = normalise_sex(values["sex"])
    values["blood_group"] = normalise_blood_group(values["blood_group"])
    if out.source_id:
        original = ORIGINAL_ID_PREFIX + out.source_id
        values["other_identifier"] = " ".join(v for v in (values["other_identifier"].strip(),
                                                          original) if v)
    born = cells.get("date_of_birth", "").strip()
    if born:
        try:
            values["date_of_birth"] = parse_date(born, ctx.date_order).isoformat()
        except ValueError as exc:
            errors.append(("date_of_birth", str(exc)))
    elif cells.get("age", "").strip():
        try:
            age = int(parse_number(cells["age"], "age in years"))
            if not 0 <= age <= 130:
                raise ValueError(f"{age} is not an age in years (0-130)")
            out.age = age
            values["date_of_birth"] = estimate_birth_date(age, ctx.today).isoformat()
            out.warnings.append(f"date of birth {values['date_of_birth']} estimated from age {age}: "
                                "flagged for confirmation")
        except ValueError as exc:
            errors.append(("age", str(exc)))
    else:
        errors.append(("date_of_birth", "is required (a date of birth or an age)"))
    patient, field_errors = parse_patient_form(values, FormContext(ctx.today, ctx.phone_region))
    errors += [(name, message) for name, message in field_errors.items()
               if not (name == "date_of_birth" and any(e[0] in ("date_of_birth", "age") for e in errors))]
    if errors or patient is None:
        raise RowErrors(errors)
    out.add("patients", patient)
    return out


# ---------------------------------------------------------------------------- other kinds
def _patient_of(cells: Mapping[str, str], ctx: RowContext) -> str:
    ref = cells.get("patient_ref", "").strip()
    if not ref:
        raise RowErrors([("patient_ref", "is required")])
    found = ctx.resolve_patient(ref)
    if found is None:
        raise RowErrors([("patient_ref", f"no patient with original ID {ref} in this clinic "
                                         "(import the patients file first)")])
    return found


_DOSE = re.compile(r"^(?P<name>.+?)\s+(?P<dose>\d+(?:[.,]\d+)?)\s*(?P<unit>mcg|µg|ug|mg|g|ml|mL|"
                   r"units?|IU|puffs?|drops?|tablets?|tabs?|caps?)\b\s*(?P<freq>.*)$", re.I)


def parse_medication(text: str, patient_id: str) -> Medication | None:
    """"Metformin 500 mg twice daily" -> a Medication; None when no dose and unit are given."""
    match = _DOSE.match(text.strip())
    if not match:
        return None
    return Medication(patient_id=patient_id, name=match["name"].strip(),
                      dose=float(match["dose"].replace(",", ".")), unit=match["unit"],
                      frequency=match["freq"].strip() or "not recorded", prescriber=IMPORT_AUTHOR)


def parse_ehr(cells: Mapping[str, str], ctx: RowContext) -> Parsed:
    pid = _patient_of(cells, ctx)
    out = Parsed(patient_id=pid)
    unplaced: list[str] = []
    try:
        for item in split_list(cells.get("allergies", "")):
            out.add(Section.ALLERGIES, Allergy(patient_id=pid, substance=item, noted_on=ctx.today,
                                                       # the original system kept no severity
                                                       severity=AllergySeverity.UNKNOWN))
        for item in split_list(cells.get("chronic_conditions", "")):
            out.add(Section.PROBLEMS, Problem(patient_id=pid, condition=item, chronic=True))
        for item in split_list(cells.get("diagnoses", "")):
            out.add(Section.PROBLEMS, Problem(patient_id=pid, condition=item,
                                              note="recent diagnosis in the original system (undated)"))
        no_dose = []
        for item in split_list(cells.get("medications", "")):
            med = parse_medication(item, pid)
            if med is None:
                no_dose.append(item)
            else:
                out.add(Section.MEDICATIONS, med)
        if no_dose:
            unplaced.append("Medications without a dose in the source: " + ", ".join(no_dose))
        surgeries = split_list(cells.get("surgeries", ""))
        if surgeries:
            unplaced.append("Past surgeries (the source has no dates): " + ", ".join(surgeries))
        if unplaced:
            out.add(Section.NOTES, ClinicalNote(patient_id=pid, author=IMPORT_AUTHOR,
                                                text="\n".join(unplaced)))
            out.warnings += [f"{u.split(':')[0]}: kept in a clinical note" for u in unplaced]
        if cells.get("doctor_notes", "").strip():
            out.add(Section.NOTES, ClinicalNote(patient_id=pid, author=IMPORT_AUTHOR,
                                                text=cells["doctor_notes"].strip()))
    except ValidationError as exc:
        raise RowErrors(_model_errors(exc, "allergies")) from None
    return out


def parse_appointment(cells: Mapping[str, str], ctx: RowContext) -> Parsed:
    errors: list[tuple[str, str]] = []
    pid = _patient_of(cells, ctx)
    doctor = cells.get("doctor_id", "").strip()
    provider = ctx.provider(doctor) if doctor else None
    if provider is None:
        errors.append(("doctor_id", f"no provider {doctor or '(empty)'} in this clinic "
                                    "(add the provider, or map the ID to one of ours)"))
    day: date | None = None
    start: time | None = None
    try:
        day = parse_date(cells.get("date", ""), ctx.date_order)
    except ValueError as exc:
        errors.append(("date", str(exc)))
    try:
        start = parse_hhmm(cells.get("time", ""))
    except ValueError as exc:
        errors.append(("time", str(exc)))
    if errors or provider is None or day is None or start is None:
        raise RowErrors(errors)
    try:
        begins = wall_to_utc(datetime.combine(day, start), ctx.zone)
    except ValueError as exc:
        raise RowErrors([("time", str(exc))]) from None
    reason = cells.get("reason", "").strip()
    source = cells.get("source_id", "").strip()
    if source:
        reason = f"{reason} [original {source}]".strip()
    try:
        appt = Appointment(patient_id=pid, provider_id=provider.id, start=begins,
                           end=begins + timedelta(minutes=provider.slot_minutes), tz=ctx.zone.key,
                           reason=reason)
    except ValidationError as exc:
        raise RowErrors(_model_errors(exc, "time")) from None
    out = Parsed(patient_id=pid, source_id=source)
    out.add("appointments", appt)
    return out


def parse_referral(cells: Mapping[str, str], ctx: RowContext) -> Parsed:
    pid = _patient_of(cells, ctx)
    errors: list[tuple[str, str]] = []
    to_department = " ".join(cells.get("to_department", "").split())
    if to_department and ctx.departments and to_department not in ctx.departments:
        errors.append(("to_department", f"'{to_department}' is not an active department"))
    created = ctx.today
    out = Parsed(patient_id=pid, source_id=cells.get("source_id", "").strip())
    if cells.get("date", "").strip():
        try:
            created = parse_date(cells["date"], ctx.date_order)
        except ValueError as exc:
            errors.append(("date", str(exc)))
    else:
        out.warnings.append(f"no date in the file: created on {ctx.today.isoformat()}")
    notes = [cells.get("notes", "").strip()]
    if cells.get("specialist_available", "").strip():
        notes.append(f"Specialist available: {cells['specialist_available'].strip()}")
    if out.source_id:
        notes.append(f"Original system referral {out.source_id}")
    values: dict[str, Any] = {
        "patient_id": pid, "from_department": cells.get("from_department", "").strip(),
        "to_department": to_department, "reason": cells.get("reason", ""),
        "referred_by": cells.get("referred_by", ""), "notes": "\n".join(n for n in notes if n),
        "created_on": created,
    }
    try:
        referral = Referral.model_validate(values)
    except ValidationError as exc:
        errors += _model_errors(exc, "reason")
    if errors:
        raise RowErrors(errors)
    out.add("referrals", referral)
    return out


def parse_reading(cells: Mapping[str, str], ctx: RowContext) -> Parsed:
    pid = _patient_of(cells, ctx)
    errors: list[tuple[str, str]] = []
    out = Parsed(patient_id=pid)
    values: dict[str, Any] = {"patient_id": pid, "notes": cells.get("notes", "").strip()}
    try:
        day = parse_date(cells.get("date", ""), ctx.date_order)
        at_time = parse_time_of(cells["date"]) or time(12, 0)
        values["at"] = wall_to_utc(datetime.combine(day, at_time), ctx.zone)
    except ValueError as exc:
        errors.append(("date", str(exc)))
    sugar = cells.get("blood_sugar", "").strip()
    if sugar:
        try:
            value = parse_number(sugar, "blood sugar")
            if value > MG_DL_ABOVE:
                out.warnings.append(f"blood sugar {value:g} read as mg/dL")
                value = round(mg_dl_to_mmol(value), 2)
            values["glucose_mmol_l"] = value
        except ValueError as exc:
            errors.append(("blood_sugar", str(exc)))
    bp = cells.get("blood_pressure", "").strip()
    if bp:
        parts = bp.replace(" ", "").split("/")
        if len(parts) == 2 and all(p.isdigit() for p in parts):
            values["systolic"], values["diastolic"] = int(parts[0]), int(parts[1])
        else:
            errors.append(("blood_pressure", f"{bp!r} is not systolic/diastolic like 120/80"))
    if cells.get("weight", "").strip():
        try:
            values["weight_kg"] = parse_number(cells["weight"], "weight in kg")
        except ValueError as exc:
            errors.append(("weight", str(exc)))
    if not errors:
        try:
            reading = ChronicReading.model_validate(values)
            if reading.at > datetime.now(reading.at.tzinfo) + timedelta(minutes=5):
                errors.append(("date", "is in the future"))
            out.add("chronic_readings", reading)
        except ValidationError as exc:
            errors += _model_errors(exc, "blood_sugar")
    if errors:
        raise RowErrors(errors)
    return out


PARSERS: dict[str, Callable[[Mapping[str, str], RowContext], Parsed]] = {
    "patients": parse_patient, "ehr": parse_ehr, "appointments": parse_appointment,
    "referrals": parse_referral, "chronic_readings": parse_reading,
}
