"""Loading a table: checkpoint + journal into memory, checked column by column.

What cannot be loaded is never dropped and never rewritten away: a row that fails stays in
its file (and is listed in the quarantine with file, line and reason) and the table is not
checkpointed until a person fixes it or confirms Repair; a header a person changed is named
as ``file:1``; a file that is not what the manifest recorded makes the folder read-only.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic

from . import rows_cache
from .access import FolderAccess
from .csvfile import ParsedFile, checksum, first_bad_byte, parse_bytes, read_file, truncate_at
from .journal import (
    INTERRUPTED,
    JOURNAL_PREFIX,
    OPS,
    TORN_WRITE,
    UNCOMMITTED,
    base_op,
    crc,
    reinserted_ids,
    uncommitted_start,
)
from .manifest import CHECKPOINT, HISTORY, JOURNAL, IntegrityProblem, Manifest, TableState
from .packed_rows import Packed, PackedRows
from .quarantine import Quarantine, QuarantinedRow
from .rows_cache import CheckpointKey
from .schema import FORMULA_TRIGGERS, ColumnKind, M, TableSpec, check_column

_ENGINE_KINDS = {
    "version": ColumnKind("int", optional=True, required=False),
    "updated_at": ColumnKind("datetime", optional=True, required=False),
    "updated_by": ColumnKind("str", optional=True, required=False),
    "seq": ColumnKind("int", optional=True, required=False),
}
NOT_UTF8_HINT = ("the file is not UTF-8 (a spreadsheet's \"CSV (Comma delimited)\" save is Windows-1252): "
                 "save it as \"CSV UTF-8\", or confirm File ▸ Repair data folder to convert it (the "
                 "original is kept)")


@dataclass(frozen=True, slots=True)
class Collision:
    """One ID found on two different records (issued again after the first was lost)."""

    table: str
    record_id: str
    where: str  # file:line of the earlier record
    restored_as: str  # the new ID it was restored under ("" when the folder is read-only)

    def __str__(self) -> str:
        kept = (f"restored as {self.restored_as}" if self.restored_as
                else "not restored yet (the folder is read-only)")
        return (f"{self.where}: ID {self.record_id} was given to two records; the later keeps it and the "
                f"earlier one is {kept}. Check what refers to {self.record_id}, then confirm Repair")


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return 0


def _columns(rows: Sequence[Sequence[str]], indexes: list[int]) -> list[list[str]]:
    """Some columns of the rows (a list comprehension per column beats zip(*rows) here:
    unpacking 100,000 rows into zip's arguments is the slow part)."""
    return [[row[i] for row in rows] for i in indexes]


def _formula_ids(column: list[str]) -> dict[str, str]:
    """IDs a spreadsheet would run as a formula: such a row is refused, never re-keyed."""
    joined = "\x00" + "\x00".join(column)
    if not any(f"\x00{t}" in joined for t in (*FORMULA_TRIGGERS, "'")):
        return {}
    return {cell: f"id {cell!r} starts with {cell[0]!r}: a spreadsheet formula, not an ID"
            for cell in column if cell[:1] in (*FORMULA_TRIGGERS, "'")}


def _now() -> str:
    return datetime.now(UTC).isoformat()


class TableLoader(Generic[M]):
    """The state of one table in memory and how it is read from its files."""

    def __init__(self, spec: TableSpec, folder: Path, quarantine: Quarantine, *, actor: str,
                 access: FolderAccess, manifest: Manifest, checkpoint_every: int) -> None:
        self.spec = spec
        self._model: type[M] = spec.model  # type: ignore[assignment]
        self._folder = folder
        self._quarantine = quarantine
        self._actor = actor
        self._access = access
        self._manifest = manifest
        self._checkpoint_every = checkpoint_every
        self._kinds = spec.kinds()
        self._all_kinds = {**self._kinds, **_ENGINE_KINDS}
        self._columns = spec.columns
        self._nfields = len(spec.fields)
        self._col_index = {name: i for i, name in enumerate(self._columns)}
        self._fingerprint = rows_cache.fingerprint(self._columns, self._all_kinds)
        # Rows are kept in memory exactly as on disk (text cells formula-escaped) so loading
        # never touches a cell; reads turn cells back into what the user typed. Each row is
        # one string (``PackedRows``), cut into cells when read.
        self._text_flags = tuple(
            (self._all_kinds[c].is_text or c == "updated_by") and c != "id" for c in self._columns
        )
        self._text_at = tuple(i for i, is_text in enumerate(self._text_flags) if is_text)
        self.path = folder / f"{spec.name}.csv"
        self.journal_path = folder / f"{spec.name}.journal.csv"
        self.history_dir = folder / "history"
        self._rows = PackedRows(len(self._columns))
        self._journal_rows = 0
        self._seq = 0
        self._next_number = 1
        # From the rows cache: the checkpoint's highest change and ID numbers (``_rows_summary``),
        # used at load unless the journal changed some rows since.
        self._checkpoint_summary: dict[str, int] | None = None
        self._journal_applied = False
        self._needs_checkpoint = False
        self._checkpoint_rows = 0  # lines of the checkpoint, loadable or not
        self._checkpoint_crc = ""
        self._disk_schema_version = spec.schema_version
        self._checkpoint_is_ours = False  # its checksum is the one the manifest recorded
        #: ``file:line: text`` problems that reject no row (header, formula cells)
        self.findings: list[str] = []
        #: Why ``<table>.csv`` must not be rewritten now ("" when it may be)
        self.rewrite_blocked = ""
        #: Why this table refuses writes although the folder is writable ("" when it does not)
        self.write_refused = ""
        self.collisions: list[Collision] = []
        self._lost: list[tuple[tuple[str, ...], str]] = []  # earlier records of a reissued ID

    # ------------------------------------------------------------------ loading
    def _load(self, stored_version: int | None) -> None:
        migrate = stored_version is not None and stored_version < self.spec.schema_version
        # Read-only (a newer folder opened by an older program): load by column name.
        if (stored_version is not None and stored_version > self.spec.schema_version
                and not self._access.read_only):
            raise RuntimeError(
                f"{self.path.name} has schema version {stored_version}, newer than this program "
                f"understands ({self.spec.schema_version}); update HMS Desktop."
            )
        from_version = stored_version if migrate else None
        self._disk_schema_version = stored_version if migrate and stored_version else self.spec.schema_version
        state = self._manifest.state(self.spec.name)
        if self.path.exists():
            self._load_checkpoint(state, from_version)
        if self.journal_path.exists():
            self._replay_journal(from_version)
        summary = self._checkpoint_summary if not self._journal_applied else None
        if summary is None or set(summary) != {"seq", "highest_number"}:
            summary = self._rows_summary()
        self._seq = summary["seq"]
        numbers = [self._number(i) for i in self._quarantine.ids(self.spec.name)]
        numbers.append(summary["highest_number"])
        numbers.append(state.highest_id if state is not None else 0)
        self._next_number = max(numbers, default=0) + 1
        if migrate:
            self._needs_checkpoint = True
        if state is not None:
            self._verify_counts(state)

    def _rows_summary(self) -> dict[str, int]:
        """The highest change number and ID number among the rows in memory (kept with the
        rows cache: at 850,000 rows working them out costs ~0.4 s of an open)."""
        # Every seq passed the integer check (or is empty): map/filter keep this loop in C.
        seq = max(map(int, filter(None, self._rows.column(len(self._columns) - 1))), default=0)
        return {"seq": seq, "highest_number": self._highest_number(list(self._rows))}

    def _load_checkpoint(self, state: TableState | None, from_version: int | None) -> None:
        """``<table>.csv`` into memory: from the rows cache when it belongs to exactly these
        bytes (``rows_cache``), else parsed and checked (and the cache written when clean)."""
        try:
            data = self.path.read_bytes()
            key = CheckpointKey(len(data), os.stat(self.path).st_mtime_ns, checksum(data))
        except OSError as exc:
            self._unreadable(self.path, exc)
            return
        self._checkpoint_crc = key.crc32
        self._verify_checkpoint(key.size, key.crc32, state)
        cache = rows_cache.cache_path(self._folder, self.spec.name)
        if from_version is None:
            cached = rows_cache.read(cache, key, self._fingerprint, len(self._columns))
            rows = PackedRows.of_packed(len(self._columns), cached.texts) if cached is not None else PackedRows(0)
            if cached is not None and len(rows) == len(cached.texts):
                self._checkpoint_rows = len(cached.texts)
                self._rows = rows
                self._checkpoint_summary = cached.summary
                return
        parsed = parse_bytes(data)
        del data
        self._checkpoint_rows = len(parsed.rows)
        findings_before = len(self.findings)
        loaded = self._load_rows(self.path.name, parsed, prefix=0, from_version=from_version)
        self._rows = PackedRows.of_cells(len(self._columns), [cells for _, cells in loaded])
        if len(self._rows) != len(loaded):
            self._rows = PackedRows(len(self._columns))
            first_line: dict[str, int] = {}
            for n, cells in loaded:
                if cells[0] in self._rows:
                    self._reject(self.path.name, parsed.line_number(n), f"duplicate id {cells[0]} (first on "
                                 f"line {first_line[cells[0]]})", cells[0], parsed.raw(n))
                    continue
                first_line[cells[0]] = parsed.line_number(n)
                self._rows[cells[0]] = cells
        if self._access.read_only:
            return
        clean = (from_version is None and not parsed.not_utf8 and parsed.header == list(self._columns)
                 and len(self._rows) == len(parsed.rows) and len(self.findings) == findings_before
                 and not self._needs_checkpoint)
        if clean:
            self._checkpoint_summary = self._rows_summary()
            rows_cache.write(cache, key, self._fingerprint, self._rows.packed(), len(self._columns),
                             self._checkpoint_summary)
        else:
            rows_cache.forget(cache)

    def _loads_cleanly(self, rows: Sequence[tuple[str, ...]]) -> bool:
        """These rows, as written by a checkpoint, pass every load-time check."""
        version_at = self._col_index["version"]
        return not self._bad_cells(rows) and all(cells[version_at] for cells in rows)

    def _cache_checkpoint(self, rows: Sequence[Packed] | None, crc32: str) -> None:
        """After a checkpoint: cache the rows just written (as ``PackedRows`` keeps them) when
        they pass the load-time checks (``None`` when they do not), so the cache holds exactly
        what parsing and checking the new file would load."""
        cache = rows_cache.cache_path(self._folder, self.spec.name)
        try:
            stat = os.stat(self.path)
        except OSError:
            return
        if rows is None or not rows_cache.write(cache, CheckpointKey(stat.st_size, stat.st_mtime_ns, crc32),
                                                self._fingerprint, rows, len(self._columns), self._rows_summary()):
            rows_cache.forget(cache)

    def _verify_checkpoint(self, size: int, crc32: str, state: TableState | None) -> None:
        entry = state.file(CHECKPOINT) if state is not None else None
        if entry is None or state is None:
            return
        name, recorded = entry
        pending = state.pending or {}
        sizes = {int(recorded.get("size", -1)): recorded.get("crc32"),
                 int(pending.get("checkpoint_size", -1)): pending.get("checkpoint_crc32")}
        self._checkpoint_is_ours = sizes.get(size) == crc32
        if size in sizes and sizes[size] not in (None, crc32):
            self._access.add(IntegrityProblem(
                name, "was changed outside HMS Desktop since it was last saved (its checksum differs); "
                "restore it from a backup, or confirm File ▸ Repair data folder to accept it", self.spec.name))

    def _verify_counts(self, state: TableState) -> None:
        """Fewer rows or an older change number than the manifest recorded: changes were lost."""
        if any(p.table == self.spec.name for p in self._access.problems):
            return  # a file of this table is already named
        if self._checkpoint_rows < state.rows and not state.pending:
            self._access.add(IntegrityProblem(
                self.path.name, f"holds {self._checkpoint_rows} row(s), {state.rows} expected: rows were removed",
                self.spec.name))
        elif self._seq < state.seq:
            self._access.add(IntegrityProblem(
                self.journal_path.name, f"the last change of {self.spec.name} is number {self._seq}, "
                f"{state.seq} expected: recent changes were lost", self.spec.name))

    def _header_problems(self, file: str, header: Sequence[str], prefix: int, *, engine_written: bool) -> None:
        """A renamed, missing or added column: named as ``file:1``, and never rewritten away.

        A file the engine wrote (a journal, or a checkpoint whose checksum the manifest
        recorded) that lacks an optional column was written before the model gained it: its
        rows load with that column empty (the field's default) and the table is rewritten in
        the new layout, like a migration. Only a person's edit is a finding.
        """
        names = list(header[prefix:])
        if not names:
            return  # an empty file: no header to compare (a lost file is named by the manifest)
        unknown = [h for h in names if h not in self._col_index]
        missing = [c for c in self.spec.fields if c not in names]
        doubled = sorted({h for h in names if names.count(h) > 1})
        added = [c for c in missing if not self._kinds[c].required]
        if engine_written and added and not unknown and not doubled:
            # Only columns the model gained (a rename also shows an unknown column: named).
            missing = [c for c in missing if c not in added]
            self._needs_checkpoint = True  # rewritten once, with the new column
        lowered = {c.lower().strip(): c for c in self._columns}
        for column in unknown:
            hint = f" (did you mean {lowered[column.lower().strip()]!r}?)" if column.lower().strip() in lowered else ""
            self.findings.append(f"{file}:1: column {column!r} is not a column of {self.spec.name}{hint}; "
                                 f"{file} is not rewritten until the header is fixed, so nothing typed in it is lost")
        for column in doubled:
            self.findings.append(f"{file}:1: column {column!r} appears twice in the header")
        if missing:
            self.findings.append(
                f"{file}:1: column(s) {', '.join(map(repr, missing))} missing from the header; nothing is saved "
                "to this table until the header is restored, or File ▸ Repair data folder accepts the file "
                "without them (they are then empty)")
        if unknown or doubled or missing:
            self.rewrite_blocked = self.rewrite_blocked or f"{file}:1: the header was changed"
        if missing or doubled:
            self.write_refused = f"{file}:1: the header was changed ({(missing or doubled)[0]!r}); fix it first"

    def _load_rows(self, file: str, parsed: ParsedFile, *, prefix: int, from_version: int | None,
                   torn_from: int | None = None) -> list[tuple[int, tuple[str, ...]]]:
        """Rows of one file mapped onto this table's columns, checked column by column.

        Returns (row index in the file, cells); every rejected row goes to quarantine with
        its line number and reason. Works on whole columns because a per-row pydantic
        validation of 100,000 rows would take seconds.
        """
        header, rows = parsed.header, parsed.rows
        rejected: dict[int, str] = {}
        positions = {name: i for i, name in enumerate(header) if i >= prefix}
        if from_version is None:
            self._header_problems(file, header, prefix, engine_written=bool(prefix) or self._checkpoint_is_ours)
        missing = [c for c in self.spec.fields if c not in positions and self._kinds[c].required]
        width = len(header)
        for n in parsed.undecodable_rows():
            rejected[n] = f"{first_bad_byte(parsed.raw(n), line=False)} is not UTF-8 — {NOT_UTF8_HINT}"
        in_todays_columns: set[int] = set()
        for n in [n for n, cells in enumerate(rows) if len(cells) != width and n not in rejected]:
            if prefix and self._written_in_todays_columns(rows[n], prefix):
                in_todays_columns.add(n)
            else:
                rejected[n] = f"has {len(rows[n])} fields, the header has {width}"
        if missing and from_version is None:
            for n in range(len(rows)):
                rejected.setdefault(n, f"column {missing[0]!r} is missing from the header")
        if torn_from is not None:
            for n in range(torn_from, len(rows)):
                rejected[n] = TORN_WRITE if n == len(rows) - 1 and not parsed.complete(n) else UNCOMMITTED
        kept = [n for n in range(len(rows)) if n not in rejected] if rejected else list(range(len(rows)))
        table = self._normalised_rows(rows, [n for n in kept if n not in in_todays_columns] if in_todays_columns
                                      else kept, positions, prefix, from_version)
        if in_todays_columns:
            others = iter(table)
            table = [list(rows[n][prefix:]) if n in in_todays_columns else next(others) for n in kept]
        version_at = self._col_index["version"]
        for cells in table if not all(cells[version_at] for cells in table) else ():
            cells[version_at] = cells[version_at] or "1"  # a row added by hand has no version
        bad: dict[int, str] = {}
        if prefix:
            for k, n in enumerate(kept):
                op = rows[n][0]
                if base_op(op) not in OPS:
                    bad[k] = f"unknown journal operation {op!r}"
                elif crc(rows[n][prefix:]) != rows[n][1]:
                    # The checksum covers the cells as written, in the journal's own columns: a
                    # line written before the model gained or lost a column still verifies.
                    bad[k] = "checksum mismatch (edited or damaged journal line)"
        for k, reason in self._bad_cells(table).items():
            bad.setdefault(k, reason)
        for k, reason in bad.items():
            rejected[kept[k]] = reason
        frozen = list(map(tuple, table))  # rows are immutable from here on (shared with readers)
        out = [(kept[k], cells) for k, cells in enumerate(frozen) if k not in bad] if bad else list(
            zip(kept, frozen, strict=True))
        for n, reason in sorted(rejected.items()):
            record_id = rows[n][positions["id"]] if "id" in positions and len(rows[n]) == len(header) else ""
            self._reject(file, parsed.line_number(n), reason, record_id, parsed.raw(n))
        if any(reason not in INTERRUPTED for reason in rejected.values()):
            count = sum(reason not in INTERRUPTED for reason in rejected.values())
            self.rewrite_blocked = self.rewrite_blocked or (
                f"{file} has {count} row(s) that cannot be loaded; it is kept as it is until they are "
                "fixed, or discarded by File ▸ Repair data folder (which keeps a copy)")
        return out

    def _bad_cells(self, table: Sequence[Sequence[str]]) -> dict[int, str]:
        """{row index: reason} for rows with a cell its column's kind refuses (checked per
        column over distinct values), an empty ID or an ID a spreadsheet would run."""
        bad: dict[int, str] = {}
        checked = [(name, kind) for name, kind in self._all_kinds.items() if kind.name != "str" or name == "id"]
        checked_at = [self._col_index[name] for name, _ in checked]
        for (column_name, kind), column in zip(checked, _columns(table, checked_at), strict=True):
            problems = check_column(kind, column)
            if column_name == "id" and not all(column):
                problems[""] = "id is empty"
            if column_name == "id":
                problems.update(_formula_ids(column))
            for k, cell in enumerate(column) if problems else ():
                reason = problems.get(cell)
                if reason is not None and k not in bad:
                    bad[k] = reason if column_name == "id" else f"{column_name}: {reason}"
        return bad

    def _written_in_todays_columns(self, cells: list[str], prefix: int) -> bool:
        """A journal line in this model's columns under an older header: appended by a version
        that did not start a new journal after the model changed. Its checksum proves it."""
        return len(cells) == prefix + len(self._columns) and crc(cells[prefix:]) == cells[1]

    def formula_findings(self) -> list[str]:
        """``file:line`` of every text cell a person typed as a formula into the checkpoint.

        Run by ``check`` (not at load, where scanning every text cell would cost start-up
        time): such a cell loads as the text it is and every rewrite writes it escaped.
        """
        try:
            parsed = read_file(self.path)
        except OSError:
            return []  # missing or unreadable: named by the manifest's check already
        positions = {name: i for i, name in enumerate(parsed.header)}
        found = []
        for column in (self._columns[i] for i in self._text_at):
            at = positions.get(column)
            if at is None:
                continue
            for n, cells in enumerate(parsed.rows):
                cell = cells[at] if at < len(cells) else ""
                if cell[:1] in FORMULA_TRIGGERS and cell:
                    found.append(f"{self.path.name}:{parsed.line_number(n)}: {column} {cell[:30]!r} starts with "
                                 f"{cell[0]!r} (a spreadsheet formula); it is kept as text and written escaped "
                                 "at the next save")
        return found

    def _normalised_rows(self, rows: list[list[str]], kept: list[int], positions: dict[str, int],
                         prefix: int, from_version: int | None) -> list[list[str]]:
        """The kept rows as lists in this table's column order (matched by header name)."""
        if from_version is not None:
            migrated = []
            for n in kept:
                raw_row = {name: rows[n][i] for name, i in positions.items()}
                for version in range(from_version, self.spec.schema_version):
                    raw_row = self.spec.migrations[version](raw_row)
                migrated.append([raw_row.get(c, "") for c in self._columns])
            return migrated
        chosen = rows if len(kept) == len(rows) else [rows[n] for n in kept]
        header_order = [name for name, _ in sorted(positions.items(), key=lambda item: item[1])]
        if header_order == list(self._columns):
            return [r[prefix:] for r in chosen] if prefix else chosen
        order = [positions.get(c) for c in self._columns]
        return [[r[j] if j is not None else "" for j in order] for r in chosen]

    def _read(self, path: Path) -> ParsedFile | None:
        """The parsed file, or None when it cannot be read at all (a folder, no permission):
        then the folder is read-only and the file is named, never a traceback."""
        try:
            return read_file(path)
        except OSError as exc:
            self._unreadable(path, exc)
            return None

    def _unreadable(self, path: Path, exc: OSError) -> None:
        self._access.add(IntegrityProblem(path.name, f"cannot be read ({exc.strerror or exc})", self.spec.name))
        self.write_refused = self.rewrite_blocked = f"{path.name} cannot be read"

    def _replay_journal(self, from_version: int | None) -> None:
        parsed = self._read(self.journal_path)
        if parsed is None:
            return
        if "\n" not in parsed.text:
            # Killed while creating the journal: not even its header line is complete, so no
            # change can be in it. The next append starts the file afresh (AppendFile).
            return
        if parsed.header[: len(JOURNAL_PREFIX)] != list(JOURNAL_PREFIX):
            self._reject(self.journal_path.name, 1, "journal header is not recognised", "",
                         ",".join(parsed.header))
            self.write_refused = self.rewrite_blocked = f"{self.journal_path.name}:1: journal header is not recognised"
            return
        torn_from = uncommitted_start(parsed)
        loaded = self._load_rows(self.journal_path.name, parsed, prefix=2, from_version=from_version,
                                 torn_from=torn_from)
        self._journal_applied = self._journal_applied or bool(loaded)
        if torn_from is not None and not self._access.read_only:
            data = self.journal_path.read_bytes()
            offset = 0
            for _ in range(parsed.line_number(torn_from) - 1):
                offset = data.index(b"\n", offset) + 1
            truncate_at(self.journal_path, offset)  # never acknowledged: set aside in quarantine
        inserted: dict[str, int] = {}  # ID -> line of its insert in this journal
        for n, row in loaded:
            record_id = row[0]
            current = self._rows.get(record_id)
            is_insert = base_op(parsed.rows[n][0]) == "insert"
            if is_insert and record_id in inserted and current is not None \
                    and current[: self._nfields] != row[: self._nfields]:
                # The engine inserts an ID once: this one was issued again after the earlier
                # record failed to load (a field over 128 KB, before that was fixed).
                self._lost.append((current, f"{self.journal_path.name}:{inserted[record_id]}"))
                self._rows[record_id] = row
            elif current is None or _int(current[-1]) < _int(row[-1]):
                self._rows[record_id] = row
            if is_insert:
                inserted[record_id] = parsed.line_number(n)
            self._journal_rows += 1

    def _find_lost_in_history(self) -> None:
        """Earlier records of a reissued ID in rotated journals (a folder written before the fix)."""
        history = sorted(self.history_dir.glob(f"{self.spec.name}.*.journal.csv")) if self.history_dir.exists() else []
        streams = [*history, *([self.journal_path] if self.journal_path.exists() else [])]
        suspects = reinserted_ids(streams)
        if not suspects:
            return
        incarnations: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for path in streams:
            parsed = read_file(path)
            positions = {name: i for i, name in enumerate(parsed.header)}
            if "id" not in positions or len(parsed.header) < 3:
                continue
            order = [positions.get(c) for c in self._columns]
            for n, cells in enumerate(parsed.rows):
                if len(cells) != len(parsed.header) or cells[positions["id"]] not in suspects:
                    continue
                row = tuple(cells[j] if j is not None else "" for j in order)
                where = f"{path.relative_to(self._folder).as_posix()}:{parsed.line_number(n)}"
                versions = incarnations.setdefault(row[0], [])
                if base_op(cells[0]) == "insert" and (not versions or versions[-1][0][: self._nfields]
                                                      != row[: self._nfields]):
                    versions.append((row, where))
                elif versions:
                    versions[-1] = (row, versions[-1][1])
        known = {cells[: self._nfields] for cells, _ in self._lost}
        for record_id, versions in incarnations.items():
            current = self._rows.get(record_id)
            for row, where in versions:
                if current is not None and row[: self._nfields] == current[: self._nfields]:
                    continue
                if row[: self._nfields] not in known and len(versions) > 1:
                    known.add(row[: self._nfields])
                    self._lost.append((row, where))

    def _reject(self, file: str, line: int, reason: str, record_id: str, raw: str) -> None:
        self._quarantine.add(QuarantinedRow(file, line, reason, raw, record_id, self.spec.name))

    def _highest_number(self, ids: list[str]) -> int:
        """Highest numeric ID without parsing all 100,000: zero-padded IDs sort by length, then text."""
        prefix = self.spec.id_prefix
        if not prefix or not ids:
            return 0
        # Try the greatest IDs first (C-level max), falling back only past odd hand-made IDs.
        lengths = sorted(set(map(len, ids)), reverse=True)
        for length in lengths:
            same_length = ids if len(lengths) == 1 else [i for i in ids if len(i) == length]
            while same_length:
                best = max(same_length)
                if best.startswith(prefix) and best[len(prefix):].isdigit():
                    return self._number(best)
                same_length.remove(best)
        return 0

    def _number(self, record_id: str) -> int:
        prefix = self.spec.id_prefix
        if prefix and record_id.startswith(prefix) and record_id[len(prefix):].isdigit():
            return int(record_id[len(prefix):])
        return 0

    # ------------------------------------------------------------------ the manifest's record
    def _state_now(self, *, rows: int | None = None) -> TableState:
        """This table's files as they are now (sizes, the checkpoint's checksum)."""
        previous = self._manifest.state(self.spec.name)
        files: dict[str, dict[str, Any]] = {}
        if self.path.exists():
            files[self.path.name] = {"role": CHECKPOINT, "size": self.path.stat().st_size, "crc32": self._checkpoint_crc}
        if self.journal_path.exists():
            files[self.journal_path.name] = {"role": JOURNAL, "size": self.journal_path.stat().st_size}
        if self.history_dir.exists():
            for path in sorted(self.history_dir.glob(f"{self.spec.name}.*.journal.csv")):
                files[f"history/{path.name}"] = {"role": HISTORY, "size": path.stat().st_size}
        if previous is not None:  # keep what a later format added to an entry (e.g. a hash)
            for name, entry in files.items():
                files[name] = {**previous.files.get(name, {}), **entry}
        return TableState(self._disk_schema_version, self._checkpoint_rows if rows is None else rows,
                          self._seq, max(self._next_number - 1, 0), files)

    def _record_state(self, state: TableState | None = None) -> None:
        state = state or self._state_now()
        previous = self._manifest.state(self.spec.name)
        if previous is not None and previous is not state and previous.to_json() == state.to_json():
            return  # nothing changed: no write
        self._manifest.save(self.spec.name, state)
