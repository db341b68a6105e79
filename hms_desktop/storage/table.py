"""A mutable table: checkpoint CSV + append-only journal, loaded into memory.

Rows live in memory as tuples of logical cell text (the model's fields, then the engine
columns), keyed by ID in insertion order. A write validates the model, appends one journal
line, fsyncs, and only then changes memory, so "saved" always means "on disk".
"""

from __future__ import annotations

import operator
import os
import threading
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic

from pydantic import BaseModel

from .csvfile import (
    AppendFile,
    ParsedFile,
    RawRecord,
    format_header,
    format_line,
    fsync_dir,
    parse_records,
    read_file,
    read_records,
    write_atomically,
)
from .quarantine import Quarantine, QuarantinedRow
from .schema import (
    ENGINE_COLUMNS,
    ColumnKind,
    M,
    TableSpec,
    cells_to_model,
    check_column,
    encode_value,
    escape_text,
    model_to_cells,
    unescape_text,
)

if TYPE_CHECKING:
    import pandas as pd

JOURNAL_PREFIX = ("op", "crc")
# A crash mid-append leaves a partial last journal line. It was never acknowledged (the
# fsync had not returned), so it is set aside in quarantine but is not a data problem.
TORN_WRITE = "incomplete last line (interrupted write)"
_ENGINE_KINDS = {
    "version": ColumnKind("int", optional=True, required=False),
    "updated_at": ColumnKind("datetime", optional=True, required=False),
    "updated_by": ColumnKind("str", optional=True, required=False),
    "seq": ColumnKind("int", optional=True, required=False),
}


class ReadOnlyError(RuntimeError):
    """The data folder is open for writing in another HMS Desktop; this one may only read."""


@dataclass(frozen=True, slots=True)
class RecordMeta:
    version: int
    updated_at: datetime | None
    updated_by: str


@dataclass(frozen=True, slots=True)
class Version(Generic[M]):
    """One saved state of a record: the audit trail is the list of these."""

    version: int
    op: str  # "insert", "update", or "checkpoint" for a row with no journal entry (hand-added)
    at: datetime | None
    by: str
    record: M


def _crc(cells: Sequence[str]) -> str:
    return f"{zlib.crc32(chr(31).join(cells).encode('utf-8')):08x}"


def _now() -> str:
    return datetime.now(UTC).isoformat()


class Table(Generic[M]):
    """Thread-safe; every method may be called from any thread, writes belong on the writer."""

    def __init__(
        self,
        spec: TableSpec,
        folder: Path,
        quarantine: Quarantine,
        *,
        actor: str,
        read_only: bool,
        stored_schema_version: int | None,
        checkpoint_every: int,
        read_only_reason: Callable[[], str] = lambda: "read-only",
    ) -> None:
        self.spec = spec
        self._model: type[M] = spec.model  # type: ignore[assignment]
        self._folder = folder
        self._quarantine = quarantine
        self._actor = actor
        self.read_only = read_only
        self._read_only_reason = read_only_reason
        self._checkpoint_every = checkpoint_every
        self._kinds = spec.kinds()
        self._all_kinds = {**self._kinds, **_ENGINE_KINDS}
        self._columns = spec.columns
        self._nfields = len(spec.fields)
        self._col_index = {name: i for i, name in enumerate(self._columns)}
        # Rows are kept in memory exactly as on disk (text cells formula-escaped) so loading
        # never touches a cell; reads turn cells back into what the user typed.
        self._text_flags = tuple(
            (self._all_kinds[c].is_text or c == "updated_by") and c != "id" for c in self._columns
        )
        self._text_at = tuple(i for i, is_text in enumerate(self._text_flags) if is_text)
        self._no_escaping = (False,) * len(self._columns)  # memory already holds the disk form
        self._no_escaping_journal = (False, False, *self._no_escaping)
        self.path = folder / f"{spec.name}.csv"
        self.journal_path = folder / f"{spec.name}.journal.csv"
        self.history_dir = folder / "history"
        self._lock = threading.RLock()  # guards memory; held briefly
        self._write_lock = threading.RLock()  # serialises writes and checkpoints
        self._rows: dict[str, tuple[str, ...]] = {}
        self._indexes: dict[str, dict[str, dict[str, None]]] = {}
        self._journal: AppendFile | None = None
        self._journal_rows = 0
        self._seq = 0
        self._next_number = 1
        self._needs_checkpoint = False
        self._load(stored_schema_version)

    # ------------------------------------------------------------------ loading
    def _load(self, stored_version: int | None) -> None:
        migrate = stored_version is not None and stored_version < self.spec.schema_version
        # Read-only (a newer folder opened by an older program): load by column name.
        if stored_version is not None and stored_version > self.spec.schema_version and not self.read_only:
            raise RuntimeError(
                f"{self.path.name} has schema version {stored_version}, newer than this program "
                f"understands ({self.spec.schema_version}); update HMS Desktop."
            )
        from_version = stored_version if migrate else None
        if self.path.exists():
            parsed = read_file(self.path)
            loaded = self._load_rows(self.path.name, parsed, prefix=0, from_version=from_version)
            self._rows = {cells[0]: cells for _, cells in loaded}
            if len(self._rows) != len(loaded):
                self._rows = {}
                first_line: dict[str, int] = {}
                for n, cells in loaded:
                    if cells[0] in self._rows:
                        self._reject(self.path.name, parsed.line_number(n), f"duplicate id {cells[0]} (first on "
                                     f"line {first_line[cells[0]]})", cells[0], parsed.raw(n))
                        continue
                    first_line[cells[0]] = parsed.line_number(n)
                    self._rows[cells[0]] = cells
        if self.journal_path.exists():
            self._replay_journal(from_version)
        # Every seq passed the integer check (or is empty): map/filter keep this loop in C.
        self._seq = max(map(int, filter(None, map(operator.itemgetter(-1), self._rows.values()))), default=0)
        numbers = [self._number(i) for i in self._quarantine.ids(self.spec.name)]
        numbers.append(self._highest_number(list(self._rows)))
        self._next_number = max(numbers, default=0) + 1
        if migrate:
            self._needs_checkpoint = True

    def _load_rows(self, file: str, parsed: ParsedFile, *, prefix: int,
                   from_version: int | None) -> list[tuple[int, tuple[str, ...]]]:
        """Rows of one file mapped onto this table's columns, checked column by column.

        Returns (row index in the file, cells); every rejected row goes to quarantine with
        its line number and reason. Works on whole columns because a per-row pydantic
        validation of 100,000 rows would take seconds.
        """
        header, rows = parsed.header, parsed.rows
        rejected: dict[int, str] = {}
        positions = {name: i for i, name in enumerate(header) if i >= prefix}
        missing = [c for c in self.spec.fields if c not in positions and self._kinds[c].required]
        width = len(header)
        for n in [n for n, cells in enumerate(rows) if len(cells) != width]:
            rejected[n] = f"has {len(rows[n])} fields, the header has {width}"
        if missing and from_version is None:
            for n in range(len(rows)):
                rejected.setdefault(n, f"column {missing[0]!r} is missing from the header")
        torn: int | None = None
        if prefix and rows and not parsed.complete(len(rows) - 1):
            torn = len(rows) - 1  # only the journal can hold a torn write
            rejected[torn] = TORN_WRITE
        kept = [n for n in range(len(rows)) if n not in rejected] if rejected else list(range(len(rows)))
        table = self._normalised_rows(rows, kept, positions, prefix, from_version)
        version_at = self._col_index["version"]
        for cells in table if not all(cells[version_at] for cells in table) else ():
            cells[version_at] = cells[version_at] or "1"  # a row added by hand has no version
        bad: dict[int, str] = {}
        if prefix and from_version is None:
            for k, cells in enumerate(table):
                if _crc(cells) != rows[kept[k]][1]:
                    bad[k] = "checksum mismatch (edited or damaged journal line)"
        checked = [(name, kind) for name, kind in self._all_kinds.items() if kind.name != "str" or name == "id"]
        checked_at = [self._col_index[name] for name, _ in checked]
        for (column_name, kind), column in zip(checked, _columns(table, checked_at), strict=True):
            problems = check_column(kind, column)
            if column_name == "id" and not all(column):
                problems[""] = "id is empty"
            for k, cell in enumerate(column) if problems else ():
                reason = problems.get(cell)
                if reason is not None and k not in bad:
                    bad[k] = reason if column_name == "id" else f"{column_name}: {reason}"
        for k, reason in bad.items():
            rejected[kept[k]] = reason
        frozen = list(map(tuple, table))  # rows are immutable from here on (shared with readers)
        out = [(kept[k], cells) for k, cells in enumerate(frozen) if k not in bad] if bad else list(
            zip(kept, frozen, strict=True))
        for n, reason in sorted(rejected.items()):
            record_id = rows[n][positions["id"]] if "id" in positions and len(rows[n]) == len(header) else ""
            self._reject(file, parsed.line_number(n), reason, record_id, parsed.raw(n))
        if torn is not None and not self.read_only:
            _truncate_from_line(self.journal_path, parsed.line_number(torn))
        return out

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

    def _replay_journal(self, from_version: int | None) -> None:
        parsed = read_file(self.journal_path)
        if "\n" not in parsed.text:
            # Killed while creating the journal: not even its header line is complete, so no
            # change can be in it. The next append starts the file afresh (AppendFile).
            return
        if parsed.header[: len(JOURNAL_PREFIX)] != list(JOURNAL_PREFIX):
            self._reject(self.journal_path.name, 1, "journal header is not recognised", "",
                         ",".join(parsed.header))
            return
        for _, row in self._load_rows(self.journal_path.name, parsed, prefix=2, from_version=from_version):
            current = self._rows.get(row[0])
            if current is None or _int(current[-1]) < _int(row[-1]):
                self._rows[row[0]] = row
            self._journal_rows += 1

    def _reject(self, file: str, line: int, reason: str, record_id: str, raw: str) -> None:
        self._quarantine.add(QuarantinedRow(file, line, reason, raw, record_id, self.spec.name))

    def _highest_number(self, ids: list[str]) -> int:
        """Highest numeric ID without parsing all 100,000: zero-padded IDs sort by length, then text."""
        prefix = self.spec.id_prefix
        if not prefix or not ids:
            return 0
        # Try the greatest IDs first (C-level max), falling back only past odd hand-made IDs.
        for length in sorted(set(map(len, ids)), reverse=True):
            same_length = [i for i in ids if len(i) == length]
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

    # ------------------------------------------------------------------ reading
    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._rows

    def ids(self) -> list[str]:
        with self._lock:
            return list(self._rows)

    def get(self, record_id: str) -> M | None:
        cells = self._rows.get(record_id)
        return None if cells is None else self._to_model(cells)

    def all(self) -> list[M]:
        with self._lock:
            rows = list(self._rows.values())
        return [self._to_model(cells) for cells in rows]

    def column(self, name: str) -> list[str]:
        """Every row's cell of one column, as the user typed it, in ``ids()`` order."""
        i = self._col_index[name]
        with self._lock:
            column = [cells[i] for cells in self._rows.values()]
        return _unescaped(column) if self._text_flags[i] else column

    def where(self, column: str, value: Any) -> list[M]:
        key = value if isinstance(value, str) else encode_value(self._all_kinds[column], value)
        with self._lock:
            ids = list(self._index(column).get(key, ()))
            rows = [self._rows[i] for i in ids]
        return [self._to_model(cells) for cells in rows]

    def meta(self, record_id: str) -> RecordMeta:
        cells = self._rows[record_id]
        at = datetime.fromisoformat(cells[-3]) if cells[-3] else None
        return RecordMeta(_int(cells[-4]), at, unescape_text(cells[-2]))

    def frame(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The current rows as text columns, indexed by ID (for analytics and search indexes)."""
        import pandas as pd

        wanted = list(columns or self._columns)
        with self._lock:
            rows = list(self._rows.values())
            ids = list(self._rows)
        data = {}
        for c in wanted:
            i = self._col_index[c]
            column = [r[i] for r in rows]
            data[c] = _unescaped(column) if self._text_flags[i] else column
        return pd.DataFrame(data, index=pd.Index(ids, name="id"))

    def history(self, record_id: str) -> list[Version[M]]:
        """Every saved version of one record, oldest first, from the rotated and live journals."""
        files = sorted(self.history_dir.glob(f"{self.spec.name}.*.journal.csv")) if self.history_dir.exists() else []
        if self.journal_path.exists():
            files.append(self.journal_path)
        versions: dict[int, Version[M]] = {}
        for path in files:
            header, records = _records_mentioning(path, record_id)
            positions = {name: i for i, name in enumerate(header)}
            id_at = positions.get("id")
            if id_at is None:
                continue
            for record in records:
                if len(record.cells) != len(header) or record.cells[id_at] != record_id:
                    continue
                cells = [record.cells[positions[c]] if c in positions else "" for c in self._columns]
                try:
                    model = self._to_model(tuple(cells))
                except ValueError:
                    continue
                version = _int(cells[-4])
                at = datetime.fromisoformat(cells[-3]) if cells[-3] else None
                versions[version] = Version(version, record.cells[0], at, cells[-2], model)
        current = self._rows.get(record_id)
        if current is not None and _int(current[-4]) not in versions:
            meta = self.meta(record_id)
            versions[meta.version] = Version(meta.version, "checkpoint", meta.updated_at, meta.updated_by,
                                             self._to_model(current))
        return [versions[v] for v in sorted(versions)]

    def _to_model(self, cells: tuple[str, ...]) -> M:
        logical = list(cells[: self._nfields])
        for i in self._text_at:
            if i < self._nfields and logical[i][:1] == "'":
                logical[i] = logical[i][1:]
        return cells_to_model(self._model, self._kinds, logical)

    def _on_disk(self, cells: Sequence[str]) -> tuple[str, ...]:
        """Logical cells as stored (text formula-escaped), the form kept in memory."""
        flags = self._text_flags
        return tuple(escape_text(c) if flags[i] else c for i, c in enumerate(cells))

    def _index(self, column: str) -> dict[str, dict[str, None]]:
        """Logical cell value -> IDs, built on first use and kept current by writes."""
        index = self._indexes.get(column)
        if index is None:
            i = self._col_index[column]
            index = {}
            for record_id, cells in self._rows.items():
                index.setdefault(self._logical_cell(i, cells[i]), {})[record_id] = None
            self._indexes[column] = index
        return index

    def _logical_cell(self, i: int, cell: str) -> str:
        return cell[1:] if self._text_flags[i] and cell[:1] == "'" else cell

    # ------------------------------------------------------------------ writing
    def insert(self, model: M) -> M:
        return self.insert_many([model])[0]

    def insert_many(self, models: Sequence[M]) -> list[M]:
        """Validate all, append all with one fsync, then apply; all or nothing."""
        self._check_writable()
        with self._write_lock:
            prepared: list[tuple[str, M, tuple[str, ...]]] = []
            next_number = self._next_number
            seq = self._seq
            now = _now()
            taken: set[str] = set()
            for model in models:
                data = model.model_dump()
                if self.spec.id_prefix and not data.get("id"):
                    data["id"] = f"{self.spec.id_prefix}{next_number:06d}"
                    next_number += 1
                record_id = str(data.get("id") or "")
                if not record_id or escape_text(record_id) != record_id:
                    raise ValueError(f"{self.spec.name}: a record needs an id that does not start "
                                     f"with = + - @ ' or a tab ({record_id!r})")
                if record_id in self._rows or record_id in taken:
                    raise ValueError(f"{self.spec.name}: id {record_id} already exists")
                taken.add(record_id)
                next_number = max(next_number, self._number(record_id) + 1)
                checked = self._model.model_validate(data)
                seq += 1
                cells = self._on_disk((*model_to_cells(checked, self._kinds), "1", now, self._actor, str(seq)))
                prepared.append(("insert", checked, cells))
            self._write(prepared)
            self._next_number = next_number
            self._seq = seq
        self._maybe_checkpoint()
        return [model for _, model, _ in prepared]

    def update(self, record_id: str, changes: Mapping[str, Any] | BaseModel) -> M:
        """Save a new version; an update that changes nothing writes nothing."""
        self._check_writable()
        with self._write_lock:
            current_cells = self._rows.get(record_id)
            if current_cells is None:
                raise KeyError(f"{self.spec.name}: no record {record_id}")
            if isinstance(changes, BaseModel):
                data = changes.model_dump()
            else:
                data = self._to_model(current_cells).model_dump() | dict(changes)
            data["id"] = record_id
            checked = self._model.model_validate(data)
            fields = model_to_cells(checked, self._kinds)
            cells = self._on_disk((*fields, str(_int(current_cells[-4]) + 1), _now(), self._actor,
                                   str(self._seq + 1)))
            if cells[: self._nfields] == current_cells[: self._nfields]:
                return checked
            seq = self._seq + 1
            self._write([("update", checked, cells)])
            self._seq = seq
        self._maybe_checkpoint()
        return checked

    def _write(self, prepared: list[tuple[str, M, tuple[str, ...]]]) -> None:
        if not prepared:
            return
        text = "".join(
            format_line((op, _crc(cells), *cells), self._no_escaping_journal) for op, _, cells in prepared
        )
        self._open_journal().append(text)  # durable from here on
        with self._lock:
            for _, _, cells in prepared:
                old = self._rows.get(cells[0])
                self._rows[cells[0]] = cells
                for column, index in self._indexes.items():
                    i = self._col_index[column]
                    if old is not None:
                        index.get(self._logical_cell(i, old[i]), {}).pop(cells[0], None)
                    index.setdefault(self._logical_cell(i, cells[i]), {})[cells[0]] = None
            self._journal_rows += len(prepared)

    def _open_journal(self) -> AppendFile:
        if self._journal is None:
            header = format_header((*JOURNAL_PREFIX, *self._columns))
            self._journal = AppendFile(self.journal_path, header)
        return self._journal

    def _check_writable(self) -> None:
        if self.read_only:
            raise ReadOnlyError(self._read_only_reason())

    def _maybe_checkpoint(self) -> None:
        if self._journal_rows >= self._checkpoint_every:
            self.checkpoint()

    def checkpoint(self) -> None:
        """Rewrite ``<table>.csv`` from memory atomically and move the journal into history."""
        if self.read_only:
            return
        with self._write_lock:
            if self._journal_rows == 0 and not self._needs_checkpoint:
                return
            with self._lock:
                rows = list(self._rows.values())
            header = format_header(self._columns)
            flags = self._no_escaping
            write_atomically(self.path, [header, *(format_line(cells, flags) for cells in rows)])
            if self._journal is not None:
                self._journal.close()
                self._journal = None
            if self.journal_path.exists():
                self.history_dir.mkdir(exist_ok=True)
                target = self.history_dir / f"{self.spec.name}.{self._seq:012d}.journal.csv"
                os.replace(self.journal_path, target)
                fsync_dir(self.history_dir)
                fsync_dir(self._folder)
            self._journal_rows = 0
            self._needs_checkpoint = False

    def close(self) -> None:
        self.checkpoint()
        with self._write_lock:
            if self._journal is not None:
                self._journal.close()
                self._journal = None


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return 0


def _records_mentioning(path: Path, needle: str) -> tuple[list[str], list[RawRecord]]:
    """Header and the records of a journal whose text contains ``needle``.

    History files hold every change ever made (hundreds of thousands of lines); parsing them
    all to show one patient's versions took seconds. ``str.find`` runs in C, so only the
    few lines that mention the ID are parsed. Files with multi-line cells are parsed whole.
    """
    with open(path, encoding="utf-8-sig", newline="") as handle:
        text = handle.read()
    if '"' in text and _has_multiline_cell(text):
        return read_records(path)
    end_of_header = text.find("\n")
    header_text = text[: end_of_header + 1] if end_of_header >= 0 else text
    chunks: list[str] = []
    start = end_of_header + 1
    while (hit := text.find(needle, start)) >= 0:
        line_start = text.rfind("\n", 0, hit) + 1
        line_end = text.find("\n", hit)
        line_end = len(text) if line_end < 0 else line_end + 1
        chunks.append(text[line_start:line_end])
        start = line_end
    header, records = parse_records(header_text + "".join(chunks))
    return header, records


def _has_multiline_cell(text: str) -> bool:
    """True when some quoted cell spans lines (a note with a newline in it)."""
    return any(line.count('"') % 2 for line in text.split("\n"))


def _columns(rows: list[list[str]], indexes: list[int]) -> list[list[str]]:
    """Some columns of the rows (a list comprehension per column beats zip(*rows) here:
    unpacking 100,000 rows into zip's arguments is the slow part)."""
    return [[row[i] for row in rows] for i in indexes]


def _has_escaped_cell(column: list[str]) -> bool:
    joined = "\x00".join(column)
    return joined.startswith("'") or "\x00'" in joined


def _unescaped(column: list[str]) -> list[str]:
    return [c[1:] if c[:1] == "'" else c for c in column] if _has_escaped_cell(column) else column


def _truncate_from_line(path: Path, line: int) -> None:
    """Cut a torn final record off the journal (it is in quarantine) so appends start clean."""
    data = path.read_bytes()
    offset = 0
    for _ in range(line - 1):
        offset = data.index(b"\n", offset) + 1
    with open(path, "r+b") as handle:
        handle.truncate(offset)
        handle.flush()
        os.fsync(handle.fileno())


__all__ = ["ENGINE_COLUMNS", "TORN_WRITE", "ReadOnlyError", "RecordMeta", "Table", "Version"]
