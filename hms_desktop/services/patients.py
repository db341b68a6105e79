"""Patient use cases: register, edit, set status, merge, search, duplicates, recently opened.

Synchronous and Qt-free; the UI runs the writing methods on the background writer. Every
successful write publishes a ``Change`` on the bus. Reads (``get``, ``search``, ``duplicates``) are safe from any thread.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from hms_desktop.domain.accounts import Permission
from hms_desktop.domain.duplicates import DuplicateMatch, Identity
from hms_desktop.domain.field_limits import check_limits
from hms_desktop.domain.patient import (
    DEFAULT_PHONE_REGION,
    FieldChange,
    Patient,
    PatientStatus,
    RecentPatient,
    diff_patients,
    merged_demographics,
    parse_phone,
)
from hms_desktop.storage import Store, Table
from hms_desktop.storage.backend import ConcurrentEditError, SharedStore
from hms_desktop.storage.patient_index import PatientIndex
from hms_desktop.storage.patients import PATIENTS, RECENT_PATIENTS, build_index
from hms_desktop.storage.registry import all_tables

from .access_control import OPENED, UNRESTRICTED, AccessControl, requires
from .bus import Change, EventBus

TABLE = PATIENTS.name
#: Tables whose rows are about one patient carry this column; a merge moves them.
REFERENCE_COLUMN = "patient_id"


class PossibleDuplicateError(ValueError):
    """Registration stopped: likely existing records the user has not confirmed against."""

    def __init__(self, matches: list[DuplicateMatch]) -> None:
        super().__init__("possible duplicate of " + ", ".join(m.id for m in matches))
        self.matches = matches


@dataclass(frozen=True)
class HistoryEntry:
    version: int
    op: str
    at: datetime | None
    by: str
    changes: list[FieldChange]
    record: Patient


@dataclass(frozen=True)
class MergePreview:
    survivor: Patient  # as it will be after the merge
    merged: Patient
    changes: list[FieldChange]  # what the survivor gains
    references: dict[str, int]  # table name -> rows that will point to the survivor


class PatientService:
    access: AccessControl = UNRESTRICTED  # the session's signed-in user

    def __init__(self, store: Store, bus: EventBus, *, phone_region: str = DEFAULT_PHONE_REGION) -> None:
        self.store = store
        self.bus = bus
        self.phone_region = phone_region
        self.table: Table[Patient] = store.table(PATIENTS)
        self.recent_table: Table[RecentPatient] = store.table(RECENT_PATIENTS)
        self._index: PatientIndex | None = None
        self._index_lock = threading.Lock()

    # ------------------------------------------------------------------ reads
    @property
    def index(self) -> PatientIndex:
        """Search index, built on first use (about a second at 100,000 patients)."""
        with self._index_lock:
            if self._index is None:
                self._index = build_index(self.table)
            return self._index

    def warm_up(self) -> None:
        """The duplicate check's structures, on the writer after start-up (``session.warm_up``),
        so the first registration does not build them."""
        self.index.warm_up_duplicates()

    @property
    def index_ready(self) -> bool:
        """False until the index is built: widgets then wait instead of building it themselves."""
        return self._index is not None

    def _reindex(self, patients: Iterable[Patient]) -> None:
        with self._index_lock:
            if self._index is not None:
                self._index.upsert_many(list(patients))

    def index_changed(self, patient_ids: Iterable[str]) -> None:
        """Patients saved elsewhere (another workstation): keep search current."""
        self._reindex(p for i in patient_ids if (p := self.table.get(i)) is not None)

    def get(self, patient_id: str) -> Patient | None:
        return self.table.get(patient_id)

    def ids(self) -> list[str]:
        return self.table.ids()

    def display_name(self, patient_id: str) -> str:
        """"Given Family" for labels and pickers; the ID itself if there is no such patient."""
        index = self.index
        row = index.row_of(patient_id)
        if row is None:
            return patient_id
        return f"{index.cols['given_name'][row]} {index.cols['family_name'][row]}"

    def resolve(self, patient_id: str) -> str:
        """Follow merged-into links: the ID that now holds this person's record."""
        seen = {patient_id}
        patient = self.table.get(patient_id)
        while patient is not None and patient.merged_into and patient.merged_into not in seen:
            seen.add(patient.merged_into)
            patient_id = patient.merged_into
            patient = self.table.get(patient_id)
        return patient_id

    @requires(Permission.VIEW_DEMOGRAPHICS, "search patients")
    def search(self, text: str, limit: int = 50, *, include_hidden: bool = False) -> list[str]:
        """IDs matching the search box text (see ``patient_index.parse_query``), first ``limit``."""
        index = self.index
        rows = index.search(text, include_hidden=include_hidden)[: limit + 10].tolist()
        if not text.strip():
            recent = [r for r in (index.row_of(pid) for pid in self.recent(10)) if r is not None]
            on_top = set(recent)
            rows = [r for r in recent if include_hidden or not index.is_hidden(r)] + \
                [r for r in rows if r not in on_top]
        return [index.cols["id"][r] for r in rows[:limit]]

    def duplicates(self, probe: Patient | Identity, *, limit: int = 10) -> list[DuplicateMatch]:
        """Likely existing records of the person described (the record itself excluded)."""
        if isinstance(probe, Patient):
            probe = Identity(probe.given_name, probe.family_name, probe.date_of_birth, probe.phone,
                             id=probe.id)
        return self.index.duplicates(probe, limit=limit, exclude=probe.id)

    def history(self, patient_id: str) -> list[HistoryEntry]:
        """Every saved version with who, when and what changed, oldest first."""
        entries = []
        previous: Patient | None = None
        for v in self.table.history(patient_id):
            entries.append(HistoryEntry(v.version, v.op, v.at, v.by, diff_patients(previous, v.record),
                                        v.record))
            previous = v.record
        return entries

    def recent(self, limit: int = 10) -> list[str]:
        """Recently opened patient IDs, newest first (merged ones replaced by their survivor).

        Reads the raw ``opened_at`` column (ISO UTC text sorts in time order) rather than
        building a model per row: the table keeps one row for every patient ever opened. No
        pandas: the Patients tab asks this as it is created, on the GUI thread, where
        importing pandas first froze the window for ~0.6 s (bench/startup_profile.py).
        """
        cols = self.recent_table.columns(["id", "opened_at"])
        ids, opened_at = cols["id"], cols["opened_at"]
        out: list[str] = []
        for row in sorted(range(len(ids)), key=opened_at.__getitem__, reverse=True):
            pid = self.resolve(ids[row])
            if pid not in out and pid in self.table:
                out.append(pid)
            if len(out) == limit:
                break
        return out

    # ------------------------------------------------------------------ writes
    def _check_phones(self, patient: Patient) -> None:
        for field in ("phone", "emergency_phone"):
            number = getattr(patient, field)
            try:
                parse_phone(number, self.phone_region)
            except ValueError as exc:
                raise ValueError(f"{field}: {exc}") from exc

    def _publish(self, ids: Sequence[str], op: str, table: str = TABLE) -> None:
        self.bus.publish(Change(table=table, ids=tuple(ids), op=op))

    @requires(Permission.EDIT_DEMOGRAPHICS, "register patients")
    def register(self, patient: Patient) -> Patient:
        """Save a new patient. Refused while likely duplicates remain unconfirmed.

        The user confirms "new patient" by listing the shown IDs in
        ``patient.confirmed_not_duplicate_of``; that confirmation is saved with the record.
        """
        if patient.id:
            raise ValueError("id: a new patient gets its ID from the store")
        check_limits(patient)
        self._check_phones(patient)
        unconfirmed = [m for m in self.duplicates(patient)
                       if m.id not in patient.confirmed_not_duplicate_of]
        if unconfirmed:
            raise PossibleDuplicateError(unconfirmed)
        saved = self.table.insert(patient)
        self._reindex([saved])
        self._publish([saved.id], "insert")
        return saved

    @requires(Permission.EDIT_DEMOGRAPHICS, "register patients")
    def register_many(self, patients: Sequence[Patient], *, check_phones: bool = True) -> list[Patient]:
        """Batch registration with one fsync (demo data, imports); no duplicate prompt.

        ``check_phones=False`` skips the number-plan check (~40 µs a number, most of the cost
        of 100,000 demo patients) for sources proven valid by their own tests; the model still
        enforces the E.164 shape.
        """
        if check_phones:
            for p in patients:
                self._check_phones(p)
        saved = self.table.insert_many(list(patients))
        self._reindex(saved)
        self._publish([p.id for p in saved], "insert")
        return saved

    @requires(Permission.EDIT_DEMOGRAPHICS, "change demographics")
    def update(self, patient_id: str, changes: Patient | Mapping[str, Any], *, expected_version: int | None = None) -> Patient:
        """Save edited demographics as a new version (status and merge links change elsewhere).

        ``expected_version``: the version the form was opened on; if someone saved a newer one
        since (another window, another workstation) ConcurrentEditError says who, and nothing
        is saved. On a server the table re-checks it atomically (storage/postgres/table.py).
        """
        current = self._existing(patient_id)
        meta = self.table.meta(patient_id)
        if expected_version is not None and meta.version != expected_version:
            raise ConcurrentEditError(TABLE, patient_id, expected=expected_version, current=meta.version,
                                      by=meta.updated_by, at=meta.updated_at, theirs=current, changes=changes)
        data = changes.model_dump() if isinstance(changes, Patient) else current.model_dump() | dict(changes)
        for field in ("status", "deceased_on", "merged_into", "merged_from"):
            if data.get(field) != getattr(current, field):
                raise ValueError(f"{field}: changed by set_status or merge, not by editing")
        edited = Patient.model_validate({**data, "id": patient_id})
        check_limits(edited)
        self._check_phones(edited)
        checked = {"expected_version": expected_version} if isinstance(self.store, SharedStore) else {}
        saved = self.table.update(patient_id, edited, **checked)
        self._reindex([saved])
        self._publish([patient_id], "update")
        return saved

    @requires(Permission.EDIT_DEMOGRAPHICS, "change a patient's status")
    def set_status(self, patient_id: str, status: PatientStatus, *, deceased_on: date | None = None) -> Patient:
        """Active, inactive or deceased (with date). Patients are never deleted."""
        current = self._existing(patient_id)
        if status is PatientStatus.MERGED or current.status is PatientStatus.MERGED:
            raise ValueError("status: merged records change only through merge")
        saved = self.table.update(patient_id, {
            "status": status, "deceased_on": deceased_on if status is PatientStatus.DECEASED else None})
        self._reindex([saved])
        self._publish([patient_id], "update")
        return saved

    @requires(Permission.VIEW_DEMOGRAPHICS, "open patients")
    def note_opened(self, patient_id: str) -> None:
        """Remember that a patient was opened (the search list shows them first when empty)."""
        now = datetime.now(UTC)
        if patient_id in self.recent_table:
            self.recent_table.update(patient_id, {"opened_at": now})
        else:
            self.recent_table.insert(RecentPatient(id=patient_id, opened_at=now))
        self._publish([patient_id], "update", table=RECENT_PATIENTS.name)
        self.access.record(OPENED, patient_id=patient_id)

    # ------------------------------------------------------------------ merge
    def _existing(self, patient_id: str) -> Patient:
        patient = self.table.get(patient_id)
        if patient is None:
            raise KeyError(f"no patient {patient_id}")
        return patient

    def _reference_tables(self) -> list[Table[Any]]:
        """Every table that refers to patients, loaded now if start-up deferred it: a merge
        must move every reference, not only those of the tables already in memory."""
        for spec in all_tables():
            if spec.name != TABLE and REFERENCE_COLUMN in spec.fields:
                self.store.table(spec)
        return [t for t in self.store.tables()
                if t.spec.name != TABLE and REFERENCE_COLUMN in t.spec.fields]

    @requires(Permission.MERGE_PATIENTS, "merge patients")
    def merge_preview(self, survivor_id: str, merged_id: str) -> MergePreview:
        """What ``merge`` would do, without doing it (shown to the user before confirming)."""
        survivor, merged = self._merge_pair(survivor_id, merged_id)
        after = survivor if merged_id in survivor.merged_from else merged_demographics(survivor, merged)
        references = {t.spec.name: len(t.where(REFERENCE_COLUMN, merged_id)) for t in self._reference_tables()}
        return MergePreview(after, merged, diff_patients(survivor, after),
                            {name: n for name, n in references.items() if n})

    def _merge_pair(self, survivor_id: str, merged_id: str) -> tuple[Patient, Patient]:
        if survivor_id == merged_id:
            raise ValueError("merge: choose two different patients")
        survivor, merged = self._existing(survivor_id), self._existing(merged_id)
        if survivor.status is PatientStatus.MERGED:
            raise ValueError(f"merge: {survivor_id} is itself merged into {survivor.merged_into}")
        if merged.status is PatientStatus.MERGED and merged.merged_into != survivor_id:
            raise ValueError(f"merge: {merged_id} is already merged into {merged.merged_into}")
        return survivor, merged

    @requires(Permission.MERGE_PATIENTS, "merge patients")
    def merge(self, survivor_id: str, merged_id: str) -> Patient:
        """Merge two records of one person; the survivor keeps everything of both.

        Order matters for a crash part-way: the merged record is marked first (so every lookup
        already follows it to the survivor), then references move, then the survivor absorbs
        the demographics. Calling merge again with the same pair finishes an interrupted merge.
        """
        survivor, merged = self._merge_pair(survivor_id, merged_id)
        if merged.status is not PatientStatus.MERGED:
            merged = self.table.update(merged_id, {"status": PatientStatus.MERGED, "merged_into": survivor_id})
        for table in self._reference_tables():
            moved = [table.update(rec.id, {REFERENCE_COLUMN: survivor_id}).id
                     for rec in table.where(REFERENCE_COLUMN, merged_id)]
            if moved:
                self._publish(moved, "update", table=table.spec.name)
        if merged_id not in survivor.merged_from:
            survivor = self.table.update(survivor_id, merged_demographics(survivor, merged))
        self._reindex([merged, survivor])
        self._publish([survivor_id, merged_id], "merge")
        return survivor
