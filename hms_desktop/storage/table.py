"""A mutable table: checkpoint CSV + append-only journal, loaded into memory.

Rows live in memory as tuples of logical cell text (the model's fields, then the engine
columns), keyed by ID in insertion order. A write validates the model, appends one journal
line, fsyncs, and only then changes memory, so "saved" always means "on disk".
"""

from __future__ import annotations

import os
import threading
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic

from pydantic import BaseModel

from .csvfile import (
    AppendFile,
    RawRecord,
    format_header,
    format_line,
    fsync_dir,
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
    model_to_cells,
)

if TYPE_CHECKING:
    import pandas as pd

JOURNAL_PREFIX = ("op", "crc")
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
        self._text_flags = tuple(
            self._all_kinds[c].is_text or c == "updated_by" for c in self._columns
        )
        self._journal_text_flags = (False, False, *self._text_flags)
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
        if stored_version is not None and stored_version > self.spec.schema_version:
            raise RuntimeError(
                f"{self.path.name} has schema version {stored_version}, newer than this program "
                f"understands ({self.spec.schema_version}); update HMS Desktop."
            )
        first_line: dict[str, int] = {}
        if self.path.exists():
            header, records = read_records(self.path)
            rows = self._rows_from_records(self.path.name, header, records, prefix=0,
                                           from_version=stored_version if migrate else None)
            for line, cells in self._checked(self.path.name, rows):
                record_id = cells[0]
                if record_id in self._rows:
                    self._reject(self.path.name, line, f"duplicate id {record_id} (first on line "
                                 f"{first_line[record_id]})", record_id, ",".join(cells))
                    continue
                first_line[record_id] = line
                self._rows[record_id] = cells
        if self.journal_path.exists():
            self._replay_journal(stored_version if migrate else None)
        for cells in self._rows.values():
            self._seq = max(self._seq, _int(cells[-1]))
        numbers = [self._number(i) for i in (*self._rows, *self._quarantine.ids(self.spec.name))]
        self._next_number = max(numbers, default=0) + 1
        if migrate:
            self._needs_checkpoint = True

    def _rows_from_records(
        self, file: str, header: list[str], records: list[RawRecord], *, prefix: int,
        from_version: int | None,
    ) -> list[tuple[int, list[str], RawRecord]]:
        """Map each record's cells onto this table's columns by header name."""
        body = header[prefix:]
        positions = {name: i + prefix for i, name in enumerate(body)}
        missing = [
            c for c in self.spec.fields
            if c not in positions and self._kinds[c].required and from_version is None
        ]
        out: list[tuple[int, list[str], RawRecord]] = []
        for record in records:
            if not record.complete and prefix:  # only the journal can hold a torn write
                self._reject(file, record.line, "incomplete last line (interrupted write)", "", record.raw,
                             torn=record)
                continue
            if len(record.cells) != len(header):
                self._reject(file, record.line, f"has {len(record.cells)} fields, the header has "
                             f"{len(header)}", _guess_id(record, positions), record.raw)
                continue
            if missing:
                self._reject(file, record.line, f"column {missing[0]!r} is missing from the header",
                             _guess_id(record, positions), record.raw)
                continue
            if from_version is not None:
                raw_row = {name: record.cells[i] for name, i in positions.items()}
                for version in range(from_version, self.spec.schema_version):
                    raw_row = self.spec.migrations[version](raw_row)
                cells = [_unescape(raw_row.get(c, ""), flag) for c, flag in zip(self._columns, self._text_flags, strict=True)]
            else:
                cells = [
                    _unescape(record.cells[positions[c]], flag) if c in positions else ""
                    for c, flag in zip(self._columns, self._text_flags, strict=True)
                ]
            out.append((record.line, cells, record))
        return out

    def _checked(
        self, file: str, rows: list[tuple[int, list[str], RawRecord]]
    ) -> Iterable[tuple[int, tuple[str, ...]]]:
        """Column-wise type checks over distinct values; bad rows go to quarantine."""
        bad: dict[int, str] = {}
        for column, kind in self._all_kinds.items():
            i = self._col_index[column]
            problems = check_column(kind, (cells[i] for _, cells, _ in rows))
            if column == "id":
                problems.update({"": "id is empty"} if any(not c[0] for _, c, _ in rows) else {})
            if problems:
                for n, (_, cells, _) in enumerate(rows):
                    reason = problems.get(cells[i])
                    if reason is not None and n not in bad:
                        bad[n] = reason if column == "id" else f"{column}: {reason}"
        for n, (line, cells, record) in enumerate(rows):
            if n in bad:
                self._reject(file, line, bad[n], cells[0], record.raw)
                continue
            if not cells[-4]:  # a row added by hand in a spreadsheet has no engine columns
                cells[-4] = "1"
            yield line, tuple(cells)

    def _replay_journal(self, from_version: int | None) -> None:
        header, records = read_records(self.journal_path)
        if header[: len(JOURNAL_PREFIX)] != list(JOURNAL_PREFIX):
            self._reject(self.journal_path.name, 1, "journal header is not recognised", "", ",".join(header))
            return
        rows = self._rows_from_records(self.journal_path.name, header, records, prefix=2,
                                       from_version=from_version)
        verified = []
        for line, cells, record in rows:
            if from_version is None and _crc(cells) != record.cells[1]:
                self._reject(self.journal_path.name, line, "checksum mismatch (edited or damaged journal line)",
                             cells[0], record.raw)
                continue
            verified.append((line, cells, record))
        for _, row in self._checked(self.journal_path.name, verified):
            current = self._rows.get(row[0])
            if current is None or _int(current[-1]) < _int(row[-1]):
                self._rows[row[0]] = row
            self._journal_rows += 1

    def _reject(self, file: str, line: int, reason: str, record_id: str, raw: str,
                torn: RawRecord | None = None) -> None:
        self._quarantine.add(QuarantinedRow(file, line, reason, raw, record_id, self.spec.name))
        if torn is not None and not self.read_only and file == self.journal_path.name:
            _truncate_from_line(self.journal_path, torn.line)

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
        i = self._col_index[name]
        with self._lock:
            return [cells[i] for cells in self._rows.values()]

    def where(self, column: str, value: Any) -> list[M]:
        key = value if isinstance(value, str) else encode_value(self._all_kinds[column], value)
        with self._lock:
            ids = list(self._index(column).get(key, ()))
            rows = [self._rows[i] for i in ids]
        return [self._to_model(cells) for cells in rows]

    def meta(self, record_id: str) -> RecordMeta:
        cells = self._rows[record_id]
        at = datetime.fromisoformat(cells[-3]) if cells[-3] else None
        return RecordMeta(_int(cells[-4]), at, cells[-2])

    def frame(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The current rows as text columns, indexed by ID (for analytics and search indexes)."""
        import pandas as pd

        wanted = list(columns or self._columns)
        with self._lock:
            rows = list(self._rows.values())
            ids = list(self._rows)
        return pd.DataFrame(
            {c: [r[self._col_index[c]] for r in rows] for c in wanted}, index=pd.Index(ids, name="id")
        )

    def history(self, record_id: str) -> list[Version[M]]:
        """Every saved version of one record, oldest first, from the rotated and live journals."""
        files = sorted(self.history_dir.glob(f"{self.spec.name}.*.journal.csv")) if self.history_dir.exists() else []
        if self.journal_path.exists():
            files.append(self.journal_path)
        versions: dict[int, Version[M]] = {}
        needle = record_id
        for path in files:
            header, records = read_records(path)
            positions = {name: i for i, name in enumerate(header)}
            id_at = positions.get("id")
            if id_at is None:
                continue
            for record in records:
                if needle not in record.raw or len(record.cells) != len(header):
                    continue
                if record.cells[id_at] != record_id:
                    continue
                cells = [_unescape(record.cells[positions[c]], f) if c in positions else ""
                         for c, f in zip(self._columns, self._text_flags, strict=True)]
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
        return cells_to_model(self._model, self._kinds, cells[: self._nfields])

    def _index(self, column: str) -> dict[str, dict[str, None]]:
        index = self._indexes.get(column)
        if index is None:
            i = self._col_index[column]
            index = {}
            for record_id, cells in self._rows.items():
                index.setdefault(cells[i], {})[record_id] = None
            self._indexes[column] = index
        return index

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
                if not record_id:
                    raise ValueError(f"{self.spec.name}: a record needs an id")
                if record_id in self._rows or record_id in taken:
                    raise ValueError(f"{self.spec.name}: id {record_id} already exists")
                taken.add(record_id)
                next_number = max(next_number, self._number(record_id) + 1)
                checked = self._model.model_validate(data)
                seq += 1
                cells = (*model_to_cells(checked, self._kinds), "1", now, self._actor, str(seq))
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
            fields = tuple(model_to_cells(checked, self._kinds))
            if fields == current_cells[: self._nfields]:
                return checked
            seq = self._seq + 1
            version = _int(current_cells[-4]) + 1
            cells = (*fields, str(version), _now(), self._actor, str(seq))
            self._write([("update", checked, cells)])
            self._seq = seq
        self._maybe_checkpoint()
        return checked

    def _write(self, prepared: list[tuple[str, M, tuple[str, ...]]]) -> None:
        if not prepared:
            return
        text = "".join(
            format_line((op, _crc(cells), *cells), self._journal_text_flags) for op, _, cells in prepared
        )
        self._open_journal().append(text)  # durable from here on
        with self._lock:
            for _, _, cells in prepared:
                old = self._rows.get(cells[0])
                self._rows[cells[0]] = cells
                for column, index in self._indexes.items():
                    i = self._col_index[column]
                    if old is not None:
                        index.get(old[i], {}).pop(cells[0], None)
                    index.setdefault(cells[i], {})[cells[0]] = None
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
            flags = self._text_flags
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


def _unescape(cell: str, is_text: bool) -> str:
    return cell[1:] if is_text and cell.startswith("'") else cell


def _guess_id(record: RawRecord, positions: Mapping[str, int]) -> str:
    i = positions.get("id")
    return record.cells[i] if i is not None and i < len(record.cells) else ""


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


__all__ = ["ENGINE_COLUMNS", "ReadOnlyError", "RecordMeta", "Table", "Version"]
