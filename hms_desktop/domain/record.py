"""The clinical record's sections: allergies, problems, medications, surgeries, diagnoses,
clinical notes and visits.

Every model is a plain pydantic object that one generic editor can drive: field titles are
the labels a clinician sees (and the names validation messages use), and ``json_schema_extra``
carries the few hints a form needs (multi-line text, list column). Records are never deleted:
each section has a ``status`` and an inactive value it is moved to instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.config import JsonDict

from hms_desktop.domain.field_limits import limit

MULTILINE: JsonDict = {"multiline": True}
LIST_COLUMN: JsonDict = {"list_column": True}
LIST_MULTILINE: JsonDict = {"multiline": True, "list_column": True}


class Section(StrEnum):
    """The record's sections; the value is also the storage table name."""

    ALLERGIES = "allergies"
    PROBLEMS = "problems"
    MEDICATIONS = "medications"
    SURGERIES = "surgeries"
    DIAGNOSES = "diagnoses"
    NOTES = "clinical_notes"
    VISITS = "visits"


class RecordStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class AllergySeverity(StrEnum):
    """Listed least to most severe (the banner sorts on this order); "unknown" is a choice a
    clinician makes when nobody knows, never a default filled in for them."""

    UNKNOWN = "unknown"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"
    LIFE_THREATENING = "life-threatening"


class ProblemStatus(StrEnum):
    ACTIVE = "active"
    RESOLVED = "resolved"
    INACTIVE = "inactive"  # entered in error / no longer relevant: kept, but not shown as a problem


class MedicationStatus(StrEnum):
    ACTIVE = "active"
    STOPPED = "stopped"
    INACTIVE = "inactive"


class AllergyStatement(StrEnum):
    """What was *recorded* about allergies, separately from the allergy list itself.

    "No known allergies" is a clinical statement somebody made; "not recorded" means nobody
    asked. The banner must never show the first when only the second is true.
    """

    NOT_RECORDED = "not_recorded"
    NO_KNOWN_ALLERGIES = "no_known_allergies"


def _now() -> datetime:
    return datetime.now(UTC)


class _RecordModel(BaseModel):
    """Shared rules: strip text, refuse empty required text with the field's own title."""

    model_config = ConfigDict(str_strip_whitespace=True, validate_assignment=True)

    id: str = ""
    patient_id: str = Field(min_length=1, title="Patient")


class Allergy(_RecordModel):
    substance: str = Field(min_length=1, max_length=limit("Allergy", "substance"), title="Substance", json_schema_extra=LIST_COLUMN)
    reaction: str = Field(default="", max_length=limit("Allergy", "reaction"), title="Reaction", json_schema_extra=LIST_COLUMN)
    severity: AllergySeverity = Field(title="Severity", json_schema_extra=LIST_COLUMN)  # chosen, never defaulted
    status: RecordStatus = Field(default=RecordStatus.ACTIVE, title="Status", json_schema_extra=LIST_COLUMN)
    noted_on: date = Field(default_factory=date.today, title="Date noted")


class Problem(_RecordModel):
    condition: str = Field(min_length=1, max_length=limit("Problem", "condition"), title="Condition", json_schema_extra=LIST_COLUMN)
    chronic: bool = Field(default=False, title="Chronic condition", json_schema_extra=LIST_COLUMN)
    onset: date | None = Field(default=None, title="Onset date", json_schema_extra=LIST_COLUMN)
    status: ProblemStatus = Field(default=ProblemStatus.ACTIVE, title="Status", json_schema_extra=LIST_COLUMN)
    note: str = Field(default="", max_length=limit("Problem", "note"), title="Note", json_schema_extra=MULTILINE)


class Medication(_RecordModel):
    name: str = Field(min_length=1, max_length=limit("Medication", "name"), title="Medication", json_schema_extra=LIST_COLUMN)
    dose: float = Field(gt=0, le=100_000, title="Dose", json_schema_extra=LIST_COLUMN)
    unit: str = Field(min_length=1, max_length=limit("Medication", "unit"), title="Unit", json_schema_extra=LIST_COLUMN)
    route: str = Field(default="oral", min_length=1, max_length=limit("Medication", "route"), title="Route", json_schema_extra=LIST_COLUMN)
    frequency: str = Field(min_length=1, max_length=limit("Medication", "frequency"), title="Frequency", json_schema_extra=LIST_COLUMN)
    start: date = Field(default_factory=date.today, title="Start", json_schema_extra=LIST_COLUMN)
    stop: date | None = Field(default=None, title="Stop", json_schema_extra=LIST_COLUMN)
    status: MedicationStatus = Field(default=MedicationStatus.ACTIVE, title="Status",
                                     json_schema_extra=LIST_COLUMN)
    prescriber: str = Field(default="", max_length=limit("Medication", "prescriber"), title="Prescriber")

    @model_validator(mode="after")
    def _stop_after_start(self) -> Medication:
        if self.stop is not None and self.stop < self.start:
            raise ValueError("Stop: must not be before Start")
        return self


class Surgery(_RecordModel):
    procedure: str = Field(min_length=1, max_length=limit("Surgery", "procedure"), title="Procedure", json_schema_extra=LIST_COLUMN)
    performed_on: date = Field(title="Date", json_schema_extra=LIST_COLUMN)
    note: str = Field(default="", max_length=limit("Surgery", "note"), title="Note", json_schema_extra=LIST_MULTILINE)
    status: RecordStatus = Field(default=RecordStatus.ACTIVE, title="Status", json_schema_extra=LIST_COLUMN)

    @field_validator("performed_on")
    @classmethod
    def _not_future(cls, value: date) -> date:
        if value > date.today():
            raise ValueError("a past surgery cannot be in the future")
        return value


class Diagnosis(_RecordModel):
    description: str = Field(min_length=1, max_length=limit("Diagnosis", "description"), title="Diagnosis", json_schema_extra=LIST_COLUMN)
    icd10: str = Field(default="", max_length=limit("Diagnosis", "icd10"), title="ICD-10 code", json_schema_extra=LIST_COLUMN)
    diagnosed_on: date = Field(default_factory=date.today, title="Date", json_schema_extra=LIST_COLUMN)
    doctor: str = Field(min_length=1, max_length=limit("Diagnosis", "doctor"), title="Diagnosing doctor", json_schema_extra=LIST_COLUMN)
    status: RecordStatus = Field(default=RecordStatus.ACTIVE, title="Status", json_schema_extra=LIST_COLUMN)

    @field_validator("icd10")
    @classmethod
    def _icd10_shape(cls, value: str) -> str:
        code = value.upper()
        if code and not is_icd10_code(code):
            raise ValueError("expected a letter, two digits and an optional .subcode, e.g. J45 or E11.9")
        return code


class ClinicalNote(_RecordModel):
    """A note is never edited in place: an amendment is a new note pointing at the original
    (``amends``), so the original text stays visible beside it, not only in the history."""

    author: str = Field(min_length=1, max_length=limit("ClinicalNote", "author"), title="Author", json_schema_extra=LIST_COLUMN)
    at: datetime = Field(default_factory=_now, title="Time", json_schema_extra=LIST_COLUMN)
    text: str = Field(min_length=1, max_length=limit("ClinicalNote", "text"), title="Note", json_schema_extra=LIST_MULTILINE)
    amends: str = Field(default="", title="Amends note")
    status: RecordStatus = Field(default=RecordStatus.ACTIVE, title="Status", json_schema_extra=LIST_COLUMN)


class Visit(_RecordModel):
    at: datetime = Field(default_factory=_now, title="Visit date", json_schema_extra=LIST_COLUMN)
    doctor: str = Field(min_length=1, max_length=limit("Visit", "doctor"), title="Doctor", json_schema_extra=LIST_COLUMN)
    symptoms: str = Field(default="", max_length=limit("Visit", "symptoms"), title="Symptoms", json_schema_extra=LIST_MULTILINE)
    diagnosis: str = Field(default="", max_length=limit("Visit", "diagnosis"), title="Diagnosis", json_schema_extra=LIST_MULTILINE)
    treatment: str = Field(default="", max_length=limit("Visit", "treatment"), title="Treatment", json_schema_extra=MULTILINE)
    follow_up_required: bool = Field(default=False, title="Follow-up required", json_schema_extra=LIST_COLUMN)
    next_visit: date | None = Field(default=None, title="Next visit", json_schema_extra=LIST_COLUMN)
    provider_id: str = Field(default="", title="Provider ID")
    appointment_id: str = Field(default="", title="Appointment ID")
    status: RecordStatus = Field(default=RecordStatus.ACTIVE, title="Status", json_schema_extra=LIST_COLUMN)

    @model_validator(mode="after")
    def _follow_up_consistent(self) -> Visit:
        if self.next_visit is not None and self.next_visit < self.at.date():
            raise ValueError("Next visit: must not be before the Visit date")
        if self.follow_up_required and self.next_visit is None:
            raise ValueError("Next visit: required when Follow-up required is ticked")
        return self


class AllergyStatementRecord(BaseModel):
    """One row per patient (id = patient id): what was recorded about allergies as a whole."""

    model_config = ConfigDict(validate_assignment=True)

    id: str = ""
    patient_id: str = Field(min_length=1)
    statement: AllergyStatement = AllergyStatement.NOT_RECORDED


RecordModel = Allergy | Problem | Medication | Surgery | Diagnosis | ClinicalNote | Visit


def is_icd10_code(code: str) -> bool:
    """A plausible ICD-10 code: letter, two digits/letter-digit, optional dot and 1-4 characters."""
    head, _, tail = code.partition(".")
    if len(head) != 3 or not head[0].isalpha() or not head[1].isdigit() or not head[2].isalnum():
        return False
    return not ("." in code and not (1 <= len(tail) <= 4 and tail.isalnum()))


@dataclass(frozen=True, slots=True)
class SectionInfo:
    """How a section is shown and retired: its model, title, the status that hides it, the
    field that orders it (newest first) and the field that names one entry in a sentence."""

    section: Section
    model: type[BaseModel]
    title: str
    inactive_status: str
    order_field: str
    label_field: str
    id_prefix: str


SECTIONS: dict[Section, SectionInfo] = {
    info.section: info
    for info in (
        SectionInfo(Section.ALLERGIES, Allergy, "Allergies", "inactive", "", "substance", "ALG"),
        SectionInfo(Section.PROBLEMS, Problem, "Problems and chronic conditions", "inactive", "onset",
                    "condition", "PRB"),
        SectionInfo(Section.MEDICATIONS, Medication, "Medications", "inactive", "start", "name", "MED"),
        SectionInfo(Section.SURGERIES, Surgery, "Past surgeries", "inactive", "performed_on", "procedure", "SUR"),
        SectionInfo(Section.DIAGNOSES, Diagnosis, "Diagnoses", "inactive", "diagnosed_on", "description", "DGN"),
        SectionInfo(Section.NOTES, ClinicalNote, "Clinical notes", "inactive", "at", "text", "NTE"),
        SectionInfo(Section.VISITS, Visit, "Visit log", "inactive", "at", "diagnosis", "VIS"),
    )
}


@dataclass(frozen=True, slots=True)
class AllergyBanner:
    """What the always-visible banner says; ``alert`` makes it red."""

    text: str
    alert: bool
    state: str  # "allergies" | "no_known_allergies" | "not_recorded"


def allergy_banner(allergies: list[Allergy], statement: AllergyStatement) -> AllergyBanner:
    """Active allergies win over any statement; NKA is shown only when somebody recorded it."""
    order = list(AllergySeverity)
    by_substance: dict[str, Allergy] = {}  # one mention per substance, its most severe entry
    for allergy in allergies:
        key = " ".join(allergy.substance.casefold().split())
        kept = by_substance.get(key)
        if allergy.status == RecordStatus.ACTIVE and (
                kept is None or order.index(allergy.severity) > order.index(kept.severity)):
            by_substance[key] = allergy
    active = list(by_substance.values())
    if active:
        active.sort(key=lambda a: (-order.index(a.severity), a.substance.lower()))
        parts = [f"{a.substance} ({'severity unknown' if a.severity == AllergySeverity.UNKNOWN else a.severity.value})"
                 for a in active]
        return AllergyBanner("ALLERGIES: " + ", ".join(parts), True, "allergies")
    if statement == AllergyStatement.NO_KNOWN_ALLERGIES:
        return AllergyBanner("No known allergies", False, "no_known_allergies")
    return AllergyBanner("Allergies not recorded", False, "not_recorded")


def check_no_known_allergies(allergies: list[Allergy]) -> None:
    """Refuse "no known allergies" while an active allergy is on the record (a contradiction)."""
    active = [a.substance for a in allergies if a.status == RecordStatus.ACTIVE]
    if active:
        raise ValueError("Cannot record 'No known allergies' while active allergies are listed: "
                         + ", ".join(active) + ". Mark them inactive first.")


def age_on(birth: date, today: date) -> int:
    """Whole years, so the header never shows a stale stored age."""
    years = today.year - birth.year
    return years - ((today.month, today.day) < (birth.month, birth.day))


def active_notes_with_amendments(notes: list[ClinicalNote]) -> list[tuple[ClinicalNote, list[ClinicalNote]]]:
    """Group notes as (original, amendments oldest first), originals newest first.

    An amendment of an amendment attaches to the same original, so a chain reads in order.
    """
    by_id = {n.id: n for n in notes}

    def root(note: ClinicalNote) -> ClinicalNote:
        seen: set[str] = set()
        while note.amends and note.amends in by_id and note.id not in seen:
            seen.add(note.id)
            note = by_id[note.amends]
        return note

    groups: dict[str, list[ClinicalNote]] = {}
    originals: dict[str, ClinicalNote] = {}
    for note in notes:
        original = root(note)
        originals[original.id] = original
        if note is not original:
            groups.setdefault(original.id, []).append(note)
    ordered = sorted(originals.values(), key=lambda n: n.at, reverse=True)
    return [(o, sorted(groups.get(o.id, []), key=lambda n: n.at)) for o in ordered]
