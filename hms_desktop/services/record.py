"""RecordService: add, amend and retire entries in every section of the clinical record.

One service serves all seven sections because the rules are the same: every change is a new
version (the storage engine keeps who and when), nothing is deleted (``mark_inactive``), and
each successful write is announced on the bus. Clinical notes differ in one
way: they are amended by a *new* note that points at the original, so the original text stays
visible in the record itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from hms_desktop.domain.accounts import Permission
from hms_desktop.domain.allergy_check import (
    AllergyCheck,
    CheckOutcome,
    DrugTable,
    check_medication,
    parse_table,
)
from hms_desktop.domain.field_limits import check_limits, limit
from hms_desktop.domain.patient import fold
from hms_desktop.domain.record import (
    SECTIONS,
    Allergy,
    AllergyBanner,
    AllergyStatement,
    AllergyStatementRecord,
    ClinicalNote,
    Medication,
    RecordStatus,
    Section,
    allergy_banner,
    check_no_known_allergies,
)
from hms_desktop.domain.timeline import TimelineEntry, day_start
from hms_desktop.services.access_control import UNRESTRICTED, AccessControl, requires
from hms_desktop.services.bus import Change, EventBus
from hms_desktop.storage import Store, Version
from hms_desktop.storage.record import ALLERGY_STATEMENTS, SECTION_TABLES
from hms_desktop.storage.table import Table

_FIXED_FIELDS = ("id", "patient_id")
DRUG_TABLE_FILE = Path(__file__).resolve().parents[1] / "resources" / "drug_allergy_classes.csv"


class RecordError(ValueError):
    """A change the record refuses, with a message for the user."""


class AllergyConflictError(RecordError):
    """A medication matches a recorded allergy: saved only with an override reason."""

    def __init__(self, check: AllergyCheck) -> None:
        super().__init__(check.message + " Not saved: give a reason to prescribe it anyway.")
        self.check = check


@lru_cache(maxsize=1)
def drug_table() -> DrugTable:
    """The curated drug-allergy table shipped in resources/ (read once)."""
    return parse_table(DRUG_TABLE_FILE.read_text(encoding="utf-8"))

_EDIT = Permission.EDIT_RECORD


class RecordService:
    access: AccessControl = UNRESTRICTED  # the session's signed-in user (services/access_control.py)

    def __init__(self, store: Store, bus: EventBus) -> None:
        self._store = store
        self._bus = bus

    # Loaded on first use, not at start-up: the Patients tab is usable before the record
    # tables are in memory (``services/session.py::load_deferred`` loads them on the writer).
    @property
    def _tables(self) -> dict[Section, Table[Any]]:
        return {section: self._store.table(spec) for section, spec in SECTION_TABLES.items()}

    @property
    def _statements(self) -> Table[Any]:
        return self._store.table(ALLERGY_STATEMENTS)

    def warm_up(self) -> None:
        """Load the record tables and build their patient index (session start-up runs this
        off the GUI thread), not on the first record opened, which would stall the window."""
        for table in self._tables.values():
            table.where("patient_id", "")

    # ---- reading -------------------------------------------------------------------------
    def entries(self, section: Section, patient_id: str, *, include_inactive: bool = True) -> list[Any]:
        """The patient's entries, newest first (by the section's date field, then id)."""
        self._require_read(section, patient_id)
        info = SECTIONS[section]
        rows = self._tables[section].where("patient_id", patient_id)
        if not include_inactive:
            rows = [r for r in rows if str(r.status) != info.inactive_status]
        if info.order_field:
            rows.sort(key=lambda r: (_sort_key(getattr(r, info.order_field)), r.id), reverse=True)
        else:
            rows.sort(key=lambda r: str(getattr(r, info.label_field)).lower())
        return rows

    def get(self, section: Section, record_id: str) -> Any | None:
        found = self._tables[section].get(record_id)
        self._require_read(section, found.patient_id if found is not None else "")
        return found

    def history(self, section: Section, record_id: str) -> list[Version[Any]]:
        """Every saved version, oldest first (who, when, what)."""
        found = self._tables[section].get(record_id)
        self._require_read(section, found.patient_id if found is not None else "")
        return self._tables[section].history(record_id)

    def saved_at(self, section: Section, record_id: str) -> datetime | None:
        """When the current version was saved (in memory: no journal read)."""
        return self._tables[section].meta(record_id).updated_at

    def count(self, section: Section) -> int:
        return len(self._tables[section])

    @requires(Permission.VIEW_RECORD, "see allergies")
    def allergy_statement(self, patient_id: str) -> AllergyStatement:
        """Looked up by patient_id, not by row id: a patient merge moves rows to the surviving
        patient, and then "no known allergies" holds only if every merged record said so."""
        rows = self._statements.where("patient_id", patient_id)
        if rows and all(r.statement == AllergyStatement.NO_KNOWN_ALLERGIES for r in rows):
            return AllergyStatement.NO_KNOWN_ALLERGIES
        return AllergyStatement.NOT_RECORDED

    @requires(Permission.VIEW_RECORD, "see allergies")
    def allergy_statement_saved(self, patient_id: str) -> tuple[str, datetime | None] | None:
        """Who recorded the allergy statement and when (the banner's tooltip), or None."""
        rows = self._statements.where("patient_id", patient_id)
        if not rows:
            return None
        metas = [self._statements.meta(r.id) for r in rows]
        latest = max(metas, key=lambda m: m.updated_at or datetime.min.replace(tzinfo=UTC))
        return latest.updated_by, latest.updated_at

    def allergy_banner(self, patient_id: str) -> AllergyBanner:
        return allergy_banner(self.entries(Section.ALLERGIES, patient_id), self.allergy_statement(patient_id))

    # ---- writing -------------------------------------------------------------------------
    def check_allergies(self, patient_id: str, medication: str) -> AllergyCheck:
        """The drug-allergy check for prescribing ``medication`` (in memory, fast)."""
        return check_medication(medication, self.entries(Section.ALLERGIES, patient_id),
                                self.allergy_statement(patient_id), drug_table())

    @requires(_EDIT, "change the clinical record")
    def add_medication(self, medication: Medication, *, override_reason: str = "", author: str = "") -> tuple[Medication, AllergyCheck]:
        """Prescribe after the allergy check: a conflict is refused unless ``override_reason``
        is given; then the override (reason, allergy, who) is recorded as a clinical note first,
        so a saved medication never lacks the record of why it was given."""
        check = self.check_allergies(medication.patient_id, medication.name)
        if check.outcome is CheckOutcome.CONFLICT:
            reason = " ".join(override_reason.split())
            if not reason:
                raise AllergyConflictError(check)
            most = limit("AllergyOverride", "reason")
            if len(reason) > most:
                raise RecordError(f"Override reason is too long: {len(reason):,} characters, at most {most}.")
            self._check_new(Section.MEDICATIONS, medication)
            note = ClinicalNote(patient_id=medication.patient_id, author=author or "unknown",
                                text=f"Allergy override: {medication.name} prescribed despite {check.message} "
                                     f"Reason: {reason}")
            self.add(Section.NOTES, note)
        saved = self._insert(Section.MEDICATIONS, medication)
        return saved, check

    @requires(_EDIT, "change the clinical record")
    def add(self, section: Section, record: BaseModel) -> Any:
        """Save a new entry; durable when this returns. A medication that conflicts with a
        recorded allergy is refused here too (use ``add_medication`` with a reason)."""
        if section == Section.MEDICATIONS and isinstance(record, Medication):
            check = self.check_allergies(record.patient_id, record.name)
            if check.outcome is CheckOutcome.CONFLICT:
                raise AllergyConflictError(check)
        return self._insert(section, record)

    def _insert(self, section: Section, record: BaseModel) -> Any:
        self._check_new(section, record)
        if section == Section.ALLERGIES and isinstance(record, Allergy) and record.status == RecordStatus.ACTIVE:
            self._refuse_duplicate_allergy(record)
        saved = self._tables[section].insert(record)
        self._publish(section, (saved.id,), "insert")
        if section == Section.ALLERGIES and saved.status == RecordStatus.ACTIVE:
            self._clear_stale_nka(saved.patient_id)
        return saved

    @requires(_EDIT, "change the clinical record")
    def add_many(self, section: Section, records: Sequence[BaseModel]) -> list[Any]:
        """Batch insert with one fsync (demo data, imports). Allergy statements are not touched."""
        for record in records:
            self._check_new(section, record)
        saved = self._tables[section].insert_many(list(records))
        if saved:
            self._publish(section, tuple(r.id for r in saved), "insert")
        return saved

    @requires(_EDIT, "change the clinical record")
    def amend(self, section: Section, record_id: str, changes: dict[str, Any]) -> Any:
        """Save a new version with ``changes``; the previous version stays in the history.

        Validation runs on the whole new version first, so an invalid change writes nothing.
        Notes are not edited in place: use ``amend_note``.
        """
        if section == Section.NOTES and set(changes) - {"status"}:
            raise RecordError("A clinical note is not edited: add an amendment, the original stays visible.")
        if set(changes) & set(_FIXED_FIELDS):
            raise RecordError("The patient and ID of a record entry cannot be changed.")
        table = self._tables[section]
        current = table.get(record_id)
        if current is None:
            raise RecordError(f"No {SECTIONS[section].title.lower()} entry {record_id}.")
        new = type(current).model_validate({**current.model_dump(), **changes})
        if new == current:
            return current  # nothing changed: no empty version in the history
        check_limits(new)
        if section == Section.ALLERGIES and new.status == RecordStatus.ACTIVE:
            self._refuse_duplicate_allergy(new)
        saved = table.update(record_id, new)
        self._publish(section, (record_id,), "update")
        if section == Section.ALLERGIES and saved.status == RecordStatus.ACTIVE:
            self._clear_stale_nka(saved.patient_id)
        return saved

    def mark_inactive(self, section: Section, record_id: str) -> Any:
        """Retire an entry (never delete): it stays on file and in the history."""
        return self.amend(section, record_id, {"status": SECTIONS[section].inactive_status})

    def amend_note(self, note_id: str, text: str, *, author: str, at: datetime | None = None) -> ClinicalNote:
        """Add an amendment to a note; the original is kept unchanged and shown above it."""
        original = self._tables[Section.NOTES].get(note_id)
        if original is None:
            raise RecordError(f"No clinical note {note_id}.")
        amendment = ClinicalNote(patient_id=original.patient_id, author=author, text=text,
                                 at=at or datetime.now(UTC), amends=note_id)
        return self.add(Section.NOTES, amendment)  # type: ignore[no-any-return]

    @requires(_EDIT, "change the clinical record")
    def record_no_known_allergies_many(self, patient_ids: Sequence[str]) -> int:
        """Batch "no known allergies" for patients with no allergy statement yet (demo data,
        imports); patients with an active allergy are skipped, never contradicted."""
        rows = [AllergyStatementRecord(id=pid, patient_id=pid, statement=AllergyStatement.NO_KNOWN_ALLERGIES)
                for pid in patient_ids
                if pid not in self._statements and not self._statements.where("patient_id", pid)
                and not self.entries(Section.ALLERGIES, pid, include_inactive=False)]
        if rows:
            self._statements.insert_many(rows)
            self._bus.publish(Change(table=ALLERGY_STATEMENTS.name, ids=tuple(r.id for r in rows), op="insert"))
        return len(rows)

    @requires(_EDIT, "change the clinical record")
    def set_allergy_statement(self, patient_id: str, statement: AllergyStatement) -> AllergyStatementRecord:
        """Record "no known allergies" (refused while an active allergy is listed) or reset it."""
        if statement == AllergyStatement.NO_KNOWN_ALLERGIES:
            try:
                check_no_known_allergies(self.entries(Section.ALLERGIES, patient_id))
            except ValueError as exc:
                raise RecordError(str(exc)) from exc
        return self._write_statement(patient_id, statement)

    # ---- internals -----------------------------------------------------------------------
    def _require_read(self, section: Section, patient_id: str) -> None:
        """Clinical notes need their own permission: a receptionist never reads one."""
        permission = Permission.READ_CLINICAL_NOTES if section == Section.NOTES else Permission.VIEW_RECORD
        self.access.require(permission, what=f"read {SECTIONS[section].title.lower()}", patient_id=patient_id)

    def _check_new(self, section: Section, record: BaseModel) -> None:
        model = SECTIONS[section].model
        if not isinstance(record, model):
            raise RecordError(f"{SECTIONS[section].title} holds {model.__name__}, not {type(record).__name__}.")
        if getattr(record, "id", ""):
            raise RecordError("A new record entry must not carry an ID; the store assigns it.")
        check_limits(record)

    def _refuse_duplicate_allergy(self, allergy: Allergy) -> None:
        """One active entry per substance: the banner listed "Penicillin" twice."""
        wanted = " ".join(fold(allergy.substance).split())
        for other in self.entries(Section.ALLERGIES, allergy.patient_id, include_inactive=False):
            if other.id != allergy.id and " ".join(fold(other.substance).split()) == wanted:
                raise RecordError(f"{other.substance} is already recorded as an allergy ({other.id}, "
                                  f"{other.severity.value}): edit that entry instead of adding it again.")

    def _clear_stale_nka(self, patient_id: str) -> None:
        """An active allergy makes a previous "no known allergies" false: reset it so the
        statement never contradicts the list if the allergy is later retired."""
        if self.allergy_statement(patient_id) == AllergyStatement.NO_KNOWN_ALLERGIES:
            self._write_statement(patient_id, AllergyStatement.NOT_RECORDED)

    def _write_statement(self, patient_id: str, statement: AllergyStatement) -> AllergyStatementRecord:
        ids = [r.id for r in self._statements.where("patient_id", patient_id)]
        if not ids and patient_id in self._statements:
            ids = [patient_id]  # this patient's row was moved to another patient by a merge
        if ids:
            for row_id in ids:
                saved = self._statements.update(row_id, {"patient_id": patient_id, "statement": statement})
            op = "update"
        else:
            saved = self._statements.insert(AllergyStatementRecord(id=patient_id, patient_id=patient_id,
                                                                    statement=statement))
            ids, op = [patient_id], "insert"
        self._bus.publish(Change(table=ALLERGY_STATEMENTS.name, ids=tuple(ids), op=op))
        return saved  # type: ignore[no-any-return]

    def _publish(self, section: Section, ids: tuple[str, ...], op: str) -> None:
        self._bus.publish(Change(table=SECTION_TABLES[section].name, ids=ids, op=op))


def _sort_key(value: object) -> str:
    """Dates and datetimes compare as ISO text (datetimes are tz-aware UTC), None sorts last."""
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


# ---- timeline ------------------------------------------------------------------------------
_KIND = {
    Section.ALLERGIES: "Allergy", Section.PROBLEMS: "Problem", Section.MEDICATIONS: "Medication",
    Section.SURGERIES: "Surgery", Section.DIAGNOSES: "Diagnosis", Section.NOTES: "Clinical note",
    Section.VISITS: "Visit",
}
TIMELINE_KINDS: tuple[str, ...] = tuple(_KIND.values())


def _entry_time(section: Section, row: Any, record: RecordService) -> tuple[datetime, bool]:
    """When the entry happened clinically (allergies: when noted); an entry with no clinical
    date (a problem of unknown onset) is placed when it was last saved, from memory."""
    field = "noted_on" if section == Section.ALLERGIES else SECTIONS[section].order_field
    value = getattr(row, field)
    if isinstance(value, datetime):
        return value, False
    if value is not None:
        return day_start(value), True
    saved = record.saved_at(section, row.id)
    return (saved or datetime.now(UTC)), False


def _title(section: Section, row: Any) -> str:
    label = str(getattr(row, SECTIONS[section].label_field)).strip().splitlines()
    text = label[0] if label else ""
    if section == Section.NOTES:
        text = ("Amendment: " if row.amends else "") + (text[:80] + ("…" if len(text) > 80 else ""))
    elif section == Section.VISITS:
        text = f"Visit with {row.doctor}" + (f": {text}" if text else "")
    elif section == Section.MEDICATIONS:
        text = f"{row.name} {row.dose:g} {row.unit} {row.frequency}"
    status = str(getattr(row, "status", ""))
    return text + (f" ({status})" if status and status != "active" else "")


def _detail(section: Section, row: Any) -> str:
    if section == Section.ALLERGIES:
        return f"{row.severity.value}" + (f", {row.reaction}" if row.reaction else "")
    if section == Section.NOTES:
        return f"by {row.author}"
    if section == Section.VISITS:
        parts = [row.symptoms, row.treatment]
        if row.follow_up_required and row.next_visit:
            parts.append(f"follow-up {row.next_visit.isoformat()}")
        return "; ".join(p for p in parts if p)
    if section == Section.DIAGNOSES:
        return " ".join(p for p in (row.icd10, f"by {row.doctor}") if p)
    if section == Section.MEDICATIONS:
        return str(row.prescriber)
    return str(row.note)  # problems and surgeries (no getattr fallback: a miss on pydantic is slow)


def record_timeline(services: Any, patient_id: str) -> list[TimelineEntry]:
    """Every section entry (inactive ones too, marked) as timeline entries."""
    record: RecordService = services.record
    out: list[TimelineEntry] = []
    for section in Section:
        for row in record.entries(section, patient_id):
            when = _entry_time(section, row, record)
            out.append(TimelineEntry(at=when[0], kind=_KIND[section], title=_title(section, row),
                                     detail=_detail(section, row), table=SECTION_TABLES[section].name,
                                     record_id=row.id, date_only=when[1]))
    return out
