"""Spreadsheet import: plan (read-only: parse, validate, find duplicates) then apply.

``plan_import`` writes nothing: it gives the preview, every failing row with its field and
reason, and the duplicates. ``apply_plan`` writes only through the services' batch methods
(one fsync per table), so the rules, IDs and history are those of typed data. Cancelling
before ``apply_plan`` writes nothing; ``apply_plan`` checks the cancel flag before its first
write and then finishes its few batch writes, so a cancel never leaves half a patient.

Modes: ALL_OR_NOTHING writes nothing unless every row is valid; VALID_ROWS writes the valid
rows and saves the rejected ones (with their reasons) to a CSV the user can fix and re-import.
"""

from __future__ import annotations

import csv
import os
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from hms_desktop.domain.birth_date_estimates import EstimatedBirthDate
from hms_desktop.domain.duplicates import Identity, rank
from hms_desktop.domain.patient import Patient
from hms_desktop.domain.record import Section
from hms_desktop.domain.schedule_time import clinic_zone
from hms_desktop.services.birth_date_estimates import BirthDateEstimateService

from .sheet_layouts import Kind, auto_mapping, missing_required, target_titles
from .sheet_matching import ExistingPatients, could_match, dob_keys, name_key
from .sheet_read import Sheet
from .sheet_rows import ORIGINAL_ID_PREFIX, PARSERS, DateOrder, Parsed, RowContext, RowErrors

Progress = Callable[[str, float], None]


class Mode(StrEnum):
    ALL_OR_NOTHING = "all-or-nothing"
    VALID_ROWS = "valid-rows"


class ImportCancelled(Exception):
    """The user cancelled; nothing was written."""


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    field: str  # the column header as in the file (or the target's title when unmapped)
    reason: str

    def text(self, file: str | Path) -> str:
        return f"{file}:{self.line}: {self.field}: {self.reason}"


@dataclass
class ImportOptions:
    kind: Kind
    mapping: list[str | None]  # target per column of the sheet
    date_order: DateOrder = DateOrder.DAY_FIRST
    mode: Mode = Mode.ALL_OR_NOTHING
    phone_region: str = "GB"
    allow_possible_duplicates: bool = False  # register anyway (confirmed against the matches)
    provider_map: dict[str, str] = field(default_factory=dict)  # file DOC id -> our provider id
    today: date = field(default_factory=date.today)


@dataclass
class PlannedRow:
    line: int
    cells: list[str]
    parsed: Parsed | None
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.parsed is not None and not self.problems


@dataclass
class ImportPlan:
    sheet: Sheet
    options: ImportOptions
    rows: list[PlannedRow]
    file_problems: list[str] = field(default_factory=list)  # e.g. a required column unmapped

    @property
    def problems(self) -> list[RowProblem]:
        return [p for row in self.rows for p in row.problems]

    @property
    def valid_rows(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.ok]

    @property
    def rejected_rows(self) -> list[PlannedRow]:
        return [r for r in self.rows if not r.ok]

    @property
    def can_apply(self) -> bool:
        if self.file_problems or not self.valid_rows:
            return False
        return self.options.mode is Mode.VALID_ROWS or not self.rejected_rows

    def notes(self) -> list[str]:
        """What valid rows will be imported with a change worth reading (an estimated date)."""
        name = self.sheet.path.name
        return [f"{name}:{row.line}: note: {text}" for row in self.valid_rows
                if row.parsed is not None for text in row.parsed.warnings]

    def messages(self) -> list[str]:
        name = self.sheet.path.name
        return [f"{name}: {p}" for p in self.file_problems] + [p.text(name) for p in self.problems]


@dataclass
class ImportResult:
    written: dict[str, int]
    rejected: int
    rejected_file: Path | None
    estimated_birth_dates: int = 0
    new_ids: list[str] = field(default_factory=list)


def default_options(sheet: Sheet, kind: Kind, **overrides: Any) -> ImportOptions:
    return ImportOptions(kind=kind, mapping=auto_mapping(kind, sheet.headers), **overrides)


# ---------------------------------------------------------------------------- planning
class _Context:
    """Lookups against the clinic's existing data, built once per plan."""

    def __init__(self, services: Any, options: ImportOptions) -> None:
        self.services = services
        self.options = options
        self._originals: dict[str, str] | None = None

    def originals(self) -> dict[str, str]:
        """'PAT000123' (the file's ID) -> our patient ID, from other identifiers."""
        if self._originals is None:
            table = self.services.patients.table
            found: dict[str, str] = {}
            for pid, other in zip(table.ids(), table.column("other_identifier"), strict=True):
                for token in other.split():
                    if token.startswith(ORIGINAL_ID_PREFIX):
                        found[token.removeprefix(ORIGINAL_ID_PREFIX)] = pid
            self._originals = found
        return self._originals

    def resolve(self, ref: str) -> str | None:
        return self.originals().get(ref.strip().upper())

    def provider(self, doc_id: str) -> Any:
        ours = self.options.provider_map.get(doc_id, doc_id)
        return self.services.scheduling.providers.get(ours)

    def row_context(self) -> RowContext:
        departments = frozenset(d.name for d in self.services.referrals.departments())
        return RowContext(self.options.today, self.options.date_order, self.options.phone_region,
                          clinic_zone(self.services.scheduling.zone.key), self.resolve,
                          self.provider, departments)


def plan_import(sheet: Sheet, options: ImportOptions, services: Any, *,
                progress: Progress | None = None,
                cancel: threading.Event | None = None) -> ImportPlan:
    """Parse and check every row; write nothing."""
    report = progress or (lambda step, fraction: None)
    plan = ImportPlan(sheet, options, [])
    missing = missing_required(options.kind, options.mapping)
    if missing:
        plan.file_problems.append("no column is mapped to " + "; ".join(missing))
        return plan
    lookups = _Context(services, options)
    ctx = lookups.row_context()
    parse = PARSERS[options.kind.value]
    header_of = _header_of(sheet, options)
    columns = [(i, t) for i, t in enumerate(options.mapping) if t is not None]
    width = len(sheet.headers)
    for n, (line, cells) in enumerate(zip(sheet.lines, sheet.rows, strict=True)):
        if cancel is not None and cancel.is_set():
            raise ImportCancelled()
        if n % 250 == 0:
            report(f"checking row {n + 1:,} of {len(sheet):,}", n / max(1, len(sheet)))
        row = PlannedRow(line, cells, None)
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            row.problems.append(RowProblem(line, "(row)", f"has {len(cells)} cells but the header "
                                                          f"has {width}: a delimiter inside an unquoted cell?"))
        else:
            try:
                row.parsed = parse({t: cells[i] for i, t in columns}, ctx)
            except RowErrors as exc:
                row.problems += [RowProblem(line, header_of(f), reason) for f, reason in exc.errors]
        plan.rows.append(row)
    if options.kind is Kind.PATIENTS:
        _check_patient_duplicates(plan, services, lookups, header_of)
    elif options.kind is Kind.APPOINTMENTS:
        _check_bookings(plan, services)
    report("checked", 1.0)
    return plan


def _header_of(sheet: Sheet, options: ImportOptions) -> Callable[[str], str]:
    by_target = {t: sheet.headers[i] for i, t in enumerate(options.mapping) if t is not None}
    titles = target_titles(options.kind)
    fallbacks = {"given_name": "full_name", "family_name": "full_name", "date_of_birth": "age"}

    def header(target: str) -> str:
        if target in by_target:
            return by_target[target]
        if fallbacks.get(target) in by_target:
            return by_target[fallbacks[target]]
        return titles.get(target, target)

    return header


def _identity(patient: Patient, estimated: bool) -> Identity:
    return Identity(patient.given_name, patient.family_name,
                    None if estimated else patient.date_of_birth, patient.phone)


def _check_patient_duplicates(plan: ImportPlan, services: Any, lookups: _Context,
                              header_of: Callable[[str], str]) -> None:
    """Against the clinic's patients (the registration rule) and within the file itself."""
    name_field = header_of("family_name")
    originals = lookups.originals()
    existing = ExistingPatients(services)
    seen_source: dict[str, int] = {}
    by_key: dict[str, list[tuple[Identity, int, int | None]]] = defaultdict(list)
    today = plan.options.today
    for row in plan.rows:
        if not row.ok or row.parsed is None:
            continue
        parsed = row.parsed
        patient: Patient = parsed.records["patients"][0]  # type: ignore[assignment]
        source = parsed.source_id.upper()
        if source and source in originals:
            row.problems.append(RowProblem(row.line, header_of("source_id"),
                                           f"{source} was already imported as {originals[source]}"))
            continue
        if source and source in seen_source:
            row.problems.append(RowProblem(row.line, header_of("source_id"),
                                           f"{source} is also on line {seen_source[source]}"))
            continue
        probe = _identity(patient, parsed.age is not None)
        matches = existing.matches(probe, age=parsed.age, today=today)
        if matches and not plan.options.allow_possible_duplicates:
            names = ", ".join(f"{m.id} ({services.patients.display_name(m.id)}, {m.score:.0%})"
                              for m in matches[:3])
            row.problems.append(RowProblem(row.line, name_field,
                                           f"possible duplicate of existing patient {names}"))
            continue
        if matches:
            parsed.records["patients"][0] = patient.model_copy(update={
                "confirmed_not_duplicate_of": [m.id for m in matches]})
        keys = _block_keys(probe)
        candidates = {id(c[0]): c for k in keys for c in by_key.get(k, [])}.values()
        twins = rank(probe, [c[0] for c in candidates if _ages_match(c[2], parsed.age)
                             and could_match(probe, c[0].folded, c[0].phone)])
        if twins:
            line = next(c[1] for c in candidates if c[0].id == twins[0].id)
            row.problems.append(RowProblem(row.line, name_field,
                                           f"same person as line {line} of this file "
                                           f"({', '.join(twins[0].reasons)})"))
            continue
        if source:
            seen_source[source] = row.line
        probe = Identity(probe.given, probe.family, probe.dob, probe.phone, id=f"line{row.line}")
        for key in keys:
            by_key[key].append((probe, row.line, parsed.age))


def _block_keys(probe: Identity) -> set[str]:
    """Rows of the file are blocked like the clinic's patients (sheet_matching), plus by name
    for every row, since either row of a pair may have only an age."""
    keys = {"name:" + "|".join(name_key(probe.given, probe.family))}
    if probe.phone:
        keys.add("phone:" + probe.phone)
    if probe.dob is not None:
        keys |= {"dob:" + d for d in dob_keys(probe.dob)}
    return keys


def _ages_match(a: int | None, b: int | None) -> bool:
    return a is None or b is None or abs(a - b) <= 1


def _check_bookings(plan: ImportPlan, services: Any) -> None:
    """Each appointment against the schedule and the earlier rows of the file."""
    scheduling = services.scheduling
    taken: list[tuple[str, Any, Any, int]] = []
    for row in plan.rows:
        if not row.ok or row.parsed is None:
            continue
        appt = row.parsed.records["appointments"][0]
        problems = scheduling.problems(appt, override=True)
        for other_provider, start, end, line in taken:
            if other_provider == appt.provider_id and start < appt.end and appt.start < end:  # type: ignore[attr-defined]
                problems.append(f"clashes with line {line} of this file")
        row.problems += [RowProblem(row.line, "time", p) for p in problems]
        if not problems:
            taken.append((appt.provider_id, appt.start, appt.end, row.line))  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------- applying
def apply_plan(plan: ImportPlan, services: Any, *, rejected_path: Path | None = None,
               progress: Progress | None = None,
               cancel: threading.Event | None = None) -> ImportResult:
    """Write the plan's valid rows through the services (or nothing, see ``Mode``)."""
    report = progress or (lambda step, fraction: None)
    if plan.file_problems:
        raise ValueError("; ".join(plan.file_problems))
    if plan.options.mode is Mode.ALL_OR_NOTHING and plan.rejected_rows:
        raise ValueError(f"{len(plan.rejected_rows)} row(s) have problems: nothing imported "
                         "(fix them, or import the valid rows only)")
    if cancel is not None and cancel.is_set():
        raise ImportCancelled()
    rejected_file = None
    if plan.rejected_rows:
        rejected_file = rejected_path or default_rejected_path(plan.sheet.path)
        write_rejected(plan, rejected_file)
    records: dict[str, list[Any]] = defaultdict(list)
    for row in plan.valid_rows:
        assert row.parsed is not None
        for key, models in row.parsed.records.items():
            records[key] += models
    report("saving", 0.0)
    result = ImportResult({}, len(plan.rejected_rows), rejected_file)
    _write(plan, services, records, result)
    report("saved", 1.0)
    return result


def _write(plan: ImportPlan, services: Any, records: dict[str, list[Any]], result: ImportResult) -> None:
    if "patients" in records:
        saved = services.patients.register_many(records["patients"], check_phones=False)
        result.written["patients"] = len(saved)
        result.new_ids = [p.id for p in saved]
        ages = [r.parsed.age for r in plan.valid_rows if r.parsed is not None]
        sources = [r.parsed.source_id for r in plan.valid_rows if r.parsed is not None]
        flags = [EstimatedBirthDate(id=p.id, patient_id=p.id, age=age, age_on=plan.options.today,
                                    source=f"{src or 'row'} in {plan.sheet.path.name}")
                 for p, age, src in zip(saved, ages, sources, strict=True) if age is not None]
        BirthDateEstimateService(services.store, services.bus).flag_many(flags)
        result.estimated_birth_dates = len(flags)
    for section in Section:
        if section.value in records:
            saved = services.record.add_many(section, records[section.value])
            result.written[section.value] = len(saved)
    if "appointments" in records:
        saved = services.scheduling.book_many(records["appointments"], override=True)
        result.written["appointments"] = len(saved)
        result.new_ids = [a.id for a in saved]
    if "referrals" in records:
        result.written["referrals"] = len(services.referrals.create_many(records["referrals"]))
    if "chronic_readings" in records:
        result.written["chronic_readings"] = len(services.chronic.add_readings(records["chronic_readings"]))


def default_rejected_path(source: Path) -> Path:
    return source.with_name(f"{source.stem}.rejected.csv")


def write_rejected(plan: ImportPlan, path: Path) -> None:
    """The rejected rows as they were, plus their line and every reason (UTF-8 with BOM, so
    a spreadsheet opens it with the accents intact)."""
    temp = path.with_name(path.name + ".part")
    with open(temp, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([*plan.sheet.headers, "source line", "problems"])
        width = len(plan.sheet.headers)
        for row in plan.rejected_rows:
            cells = (row.cells + [""] * width)[:width]
            writer.writerow([*map(_safe_cell, cells), row.line,
                             "; ".join(f"{p.field}: {p.reason}" for p in row.problems)])
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(temp, path)


def _safe_cell(text: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading quote (as our own files do)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def preview(sheet: Sheet, limit: int = 10) -> tuple[list[str], list[list[str]]]:
    return sheet.headers, sheet.rows[:limit]


def counts(plan: ImportPlan) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for row in plan.valid_rows:
        assert row.parsed is not None
        for key, models in row.parsed.records.items():
            out[key] += len(models)
    return dict(out)


