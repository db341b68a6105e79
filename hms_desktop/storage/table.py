"""A mutable table: checkpoint CSV + append-only journal, loaded into memory.

Rows live in memory as the cell text as stored (the model's fields, then the engine
columns), one joined string per row (``packed_rows``), keyed by ID in insertion order. A
write validates the model, appends one journal record group, fsyncs, and only then changes
memory, so "saved" always means "on disk".
A checkpoint is housekeeping: when it fails (a full disk) the journal still holds every
change, so the save that triggered it is still reported as saved.
"""

from __future__ import annotations

import copy
import logging
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic

from pydantic import BaseModel

from .access import FolderAccess
from .audit_chain import AuditChain, ChainedAppendFile, move_file
from .csvfile import (
    BOM,
    AppendFile,
    checksum,
    format_header,
    format_line,
    fsync_dir,
    make_dir,
    write_temporary,
)
from .gc_pause import collector_paused
from .journal import JOURNAL_PREFIX, TORN_WRITE, crc, group_ops, records_mentioning
from .manifest import ID_BLOCK, JOURNAL, REFRESH_ROWS, Manifest
from .packed_rows import Packed, pack, unpack
from .quarantine import Quarantine
from .schema import (
    ENGINE_COLUMNS,
    FORMULA_TRIGGERS,
    M,
    TableSpec,
    cells_to_model,
    encode_value,
    escape_text,
    model_to_cells,
    unescape_text,
)
from .table_load import Collision, TableLoader, _int, _now
from .value_index import ValueIndex

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)
_CHECKPOINT_CHUNK = 4096  # rows cut into cells at once while a checkpoint is written (bounds its memory)


class ReadOnlyError(RuntimeError):
    """The data folder (or this table) may not be written now; the message says why."""


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


class Table(TableLoader[M]):
    """Thread-safe; every method may be called from any thread, writes belong on the writer."""

    def __init__(self, spec: TableSpec, folder: Path, quarantine: Quarantine, *, actor: str,
                 access: FolderAccess, manifest: Manifest, stored_schema_version: int | None,
                 checkpoint_every: int, chain: AuditChain | None = None) -> None:
        self._chain = chain  # every journal line is recorded in it before it is written
        super().__init__(spec, folder, quarantine, actor=actor, access=access, manifest=manifest,
                         checkpoint_every=checkpoint_every)
        self._no_escaping = (False,) * len(self._columns)  # memory already holds the disk form
        self._no_escaping_journal = (False, False, *self._no_escaping)
        self._lock = threading.RLock()  # guards memory; held briefly
        self._write_lock = threading.RLock()  # serialises writes and checkpoints
        self._indexes: dict[str, ValueIndex] = {}
        self._journal: AppendFile | None = None
        self._rows_since_record = 0
        #: The last checkpoint failure (housekeeping: the journal still holds everything)
        self.checkpoint_problem = ""
        with collector_paused():
            self._load(stored_schema_version)
        self._settle()

    @property
    def needs_rewrite(self) -> bool:
        """Loaded from files of an older layout (a migration or a column the model gained)."""
        return self._needs_checkpoint

    @property
    def read_only(self) -> bool:
        return self._access.read_only or bool(self.write_refused)

    def set_actor(self, actor: str) -> None:
        """Later writes are attributed to ``actor`` (a user signed in or switched)."""
        with self._write_lock:
            self._actor = actor

    def _settle(self) -> None:
        """After loading: a folder from before the manifest kept per-table state is adopted as
        it is (and searched for reissued IDs); a checkpoint cut short is finished."""
        state = self._manifest.state(self.spec.name)
        adopting = state is None or not state.files  # a legacy folder, a new table, or Repair
        if adopting:
            self._find_lost_in_history()
        if self._access.read_only or not self._manifest.usable:
            self.collisions = [Collision(self.spec.name, cells[0], where, "") for cells, where in self._lost]
            return
        if self._lost and self.spec.id_prefix:
            self._restore_lost()
        if adopting or (state is not None and state.pending is not None):
            self._record_state()

    def _restore_lost(self) -> None:
        """Keep both records of a reissued ID: the earlier one comes back under a new ID."""
        restored, kept_back = [], []
        for cells, where in self._lost:
            try:
                data = self._to_model(cells).model_dump()
                data["id"] = ""
                saved = self.insert(self._model.model_validate(data))
            except (ValueError, RuntimeError, OSError) as exc:
                # Not valid under today's rules, or the table refuses writes: it stays where it
                # was found (history or journal) and is reported until a person deals with it.
                log.warning("could not restore the earlier record of %s: %s", cells[0], exc)
                kept_back.append(Collision(self.spec.name, cells[0], where, ""))
                continue
            restored.append(Collision(self.spec.name, cells[0], where, str(getattr(saved, "id", ""))))
        self.collisions = restored + kept_back
        self._lost = []
        self._manifest.record_collisions([{"table": c.table, "id": c.record_id, "where": c.where,
                                           "restored_as": c.restored_as, "found_at": _now()}
                                          for c in restored])

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
        return self.columns([name])[name]

    def columns(self, names: Sequence[str]) -> dict[str, list[str]]:
        """Several columns at once (one pass over the rows), lined up with each other and
        with ``ids()`` at the time of the call."""
        at = [self._col_index[name] for name in names]
        with self._lock:
            cut = self._rows.columns(at)
        return {name: _unescaped(column) if self._text_flags[i] else column
                for name, i, column in zip(names, at, cut, strict=True)}

    def where(self, column: str, value: Any) -> list[M]:
        key = value if isinstance(value, str) else encode_value(self._all_kinds[column], value)
        with self._lock:
            ids = self._index(column).get(key)
            rows = [self._rows[i] for i in ids]
        return [self._to_model(cells) for cells in rows]

    def columns_where(self, column: str, value: str,
                      names: Sequence[str]) -> tuple[list[str], dict[str, list[str]]]:
        """The IDs and the ``names`` cells (logical text, as ``column`` gives them) of the rows
        whose ``column`` is ``value``, without a model per row: for callers that check a
        long list column by column and build models only for the rows they show."""
        at = [self._col_index[name] for name in names]
        with self._lock:
            ids = self._index(column).get(value)
            cut = self._rows.columns(at, ids) if at and ids else [[] for _ in at]
        return ids, {name: _unescaped(cells) if self._text_flags[i] else cells
                     for name, i, cells in zip(names, at, cut, strict=True)}

    def meta(self, record_id: str) -> RecordMeta:
        cells = self._rows[record_id]
        at = datetime.fromisoformat(cells[-3]) if cells[-3] else None
        return RecordMeta(_int(cells[-4]), at, unescape_text(cells[-2]))

    def frame(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The current rows as text columns, indexed by ID (for analytics and search indexes)."""
        import pandas as pd

        wanted = list(columns or self._columns)
        with self._lock:
            ids = list(self._rows)
            data = self.columns(wanted)
        return pd.DataFrame(data, index=pd.Index(ids, name="id"))

    def history(self, record_id: str) -> list[Version[M]]:
        """Every saved version of one record, oldest first, from the rotated and live journals."""
        files = sorted(self.history_dir.glob(f"{self.spec.name}.*.journal.csv")) if self.history_dir.exists() else []
        if self.journal_path.exists():
            files.append(self.journal_path)
        versions: dict[int, Version[M]] = {}
        for path in files:
            header, records = records_mentioning(path, record_id)
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

    def _index(self, column: str) -> ValueIndex:
        """Logical cell value -> IDs, built on first use and kept current by writes."""
        index = self._indexes.get(column)
        if index is None:
            i = self._col_index[column]
            with self._lock:
                ids, (cells,) = list(self._rows), self._rows.columns([i])
            index = ValueIndex(ids, _unescaped(cells) if self._text_flags[i] else cells)
            self._indexes[column] = index
        return index

    def _logical_cell(self, i: int, cell: str) -> str:
        return cell[1:] if self._text_flags[i] and cell[:1] == "'" else cell

    # ------------------------------------------------------------------ writing
    def insert(self, model: M) -> M:
        return self.insert_many([model])[0]

    def insert_many(self, models: Sequence[M]) -> list[M]:
        """Validate all, append all as one committed group with one fsync, then apply."""
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
            self._reserve_ids(next_number - 1)
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

    def _reserve_ids(self, highest: int) -> None:
        """Record in the manifest, before an ID is used, that IDs up to it may be issued: an ID
        is never issued twice even if the journal holding it is later lost."""
        state = self._manifest.state(self.spec.name)
        if state is None or highest <= state.highest_id:
            return
        state = copy.deepcopy(state)  # the manifest changes only once the new record is on disk
        state.highest_id = highest + ID_BLOCK
        state.seq = max(state.seq, self._seq)
        if self.journal_path.exists() and self.journal_path.name in state.files:
            state.files[self.journal_path.name]["size"] = self.journal_path.stat().st_size
        self._record_state(state)  # raises on a full disk: then nothing was saved

    def _write(self, prepared: list[tuple[str, M, tuple[str, ...]]]) -> None:
        if not prepared:
            return
        ops = group_ops([op for op, _, _ in prepared])
        text = "".join(
            format_line((op, crc(cells), *cells), self._no_escaping_journal)
            for op, (_, _, cells) in zip(ops, prepared, strict=True)
        )
        self._open_journal().append(text)  # durable from here on
        with self._lock:
            for _, _, cells in prepared:
                old = self._rows.get(cells[0])
                self._rows[cells[0]] = cells
                for column, index in self._indexes.items():
                    i = self._col_index[column]
                    was = None if old is None else self._logical_cell(i, old[i])
                    index.move(cells[0], was, self._logical_cell(i, cells[i]))
            self._journal_rows += len(prepared)
        self._rows_since_record += len(prepared)
        if self._rows_since_record >= REFRESH_ROWS:
            self._refresh_journal_size()

    def _refresh_journal_size(self) -> None:
        """Record how long the journal is at least, so a cut-off journal is noticed at open."""
        state = copy.deepcopy(self._manifest.state(self.spec.name))
        if state is None or not self.journal_path.exists():
            return
        entry = state.files.setdefault(self.journal_path.name, {"role": JOURNAL})
        entry["size"] = self.journal_path.stat().st_size
        state.seq = max(state.seq, self._seq)
        try:
            self._record_state(state)
            self._rows_since_record = 0
        except OSError as exc:  # housekeeping: the change itself is already durable
            log.warning("could not update the manifest for %s: %s", self.spec.name, exc)

    def _open_journal(self) -> AppendFile:
        if self._journal is None:
            header = format_header((*JOURNAL_PREFIX, *self._columns))
            if _first_line(self.journal_path) not in ("", header):
                self._retire_journal_of_other_columns()
            existed = self.journal_path.exists()
            self._journal = ChainedAppendFile(self.journal_path, header, self._chain, on_torn=self._set_aside_torn)
            if not existed:
                self._refresh_journal_size()  # from now on its loss is noticed
        return self._journal

    def _retire_journal_of_other_columns(self) -> None:
        """The journal was written with other columns (the model changed since): a line in
        today's columns appended to it would not match its header and fail to load. The
        checkpoint rewrites the table in today's columns and moves that journal to history;
        while the table may not be rewritten (rows or a header it could not load), saving is
        refused rather than written where it could not be read back."""
        self._needs_checkpoint = True
        self.checkpoint()  # an OSError (a full disk) reaches the caller: nothing was saved
        if self.journal_path.exists():
            raise ReadOnlyError(
                f"{self.journal_path.name} was written with other columns than {self.spec.name} has now and "
                f"{self.spec.name} cannot be rewritten yet ({self.rewrite_blocked}); nothing is saved to it "
                "until that is fixed or File ▸ Repair data folder is confirmed")

    def _set_aside_torn(self, line: int, raw: str) -> None:
        self._reject(self.journal_path.name, line, TORN_WRITE, "", raw)

    def _check_writable(self) -> None:
        if self._access.read_only:
            raise ReadOnlyError(self._access.reason)
        if self.write_refused:
            raise ReadOnlyError(self.write_refused)

    def _maybe_checkpoint(self) -> None:
        if self._journal_rows >= self._checkpoint_every:
            self.try_checkpoint()

    def try_checkpoint(self) -> bool:
        """Checkpoint as housekeeping: a failure is kept in ``checkpoint_problem``, not raised,
        because every change it would have written is already durable in the journal."""
        try:
            self.checkpoint()
        except OSError as exc:
            self.checkpoint_problem = (f"{self.path.name} could not be rewritten ({exc.strerror or exc}); "
                                       "every change is safe in the journal")
            log.warning("checkpoint of %s failed: %s", self.spec.name, exc)
            return False
        return True

    def checkpoint(self, *, force: bool = False) -> None:
        """Rewrite ``<table>.csv`` from memory atomically and move the journal into history.

        Refused while the table holds rows or a header it could not load (they would be
        lost); ``force`` is Repair's, after it copied the files. Crash-safe in every step: the
        manifest names the new checkpoint (as pending) before it replaces the old one.
        """
        if self._access.read_only or (self.rewrite_blocked and not force):
            return
        with self._write_lock:
            if self._journal_rows == 0 and not self._needs_checkpoint and not force:
                return
            with self._lock:
                packed = self._rows.packed()
            chunks = [BOM, format_header(self._columns)]
            written: list[Packed] = []  # the rows as written (formulas escaped), for the rows cache
            cacheable = True  # every row passes the load-time checks (then the cache may hold them)
            for start in range(0, len(packed), _CHECKPOINT_CHUNK):  # a few thousand rows' cells at a time
                part = packed[start:start + _CHECKPOINT_CHUNK]
                cells = [unpack(row) for row in part]
                escaped = _formulas_escaped(cells, self._text_at)
                chunks += [format_line(c, self._no_escaping) for c in escaped]
                written += part if escaped is cells else map(pack, escaped)
                cacheable = cacheable and self._loads_cleanly(escaped)
            del packed
            data = "".join(chunks).encode("utf-8")
            del chunks
            tmp = write_temporary(self.path, data)
            history_name = f"history/{self.spec.name}.{self._seq:012d}.journal.csv"
            state = self._state_now()
            state.pending = {"checkpoint_size": len(data), "checkpoint_crc32": checksum(data),
                             "history": history_name if self.journal_path.exists() else None}
            try:
                self._record_state(state)
            except OSError:
                tmp.unlink(missing_ok=True)
                raise
            os.replace(tmp, self.path)
            fsync_dir(self._folder)
            self._checkpoint_crc, self._checkpoint_rows = checksum(data), len(written)
            self._disk_schema_version = self.spec.schema_version
            if self._journal is not None:
                self._journal.close()
                self._journal = None
            if self.journal_path.exists():
                make_dir(self.history_dir)
                move_file(self._chain, self.journal_path, self._folder / history_name)
                fsync_dir(self.history_dir)
                fsync_dir(self._folder)
            self._journal_rows = 0
            self._needs_checkpoint = False
            self.rewrite_blocked = self.write_refused = ""
            self.findings = []  # the file is now exactly what the engine writes
            self.checkpoint_problem = ""
            self._rows_since_record = 0
            self._record_state()
            self._cache_checkpoint(written if cacheable else None, self._checkpoint_crc)

    def raise_id_floor(self, highest_issued: int) -> None:
        """Never issue an ID at or below ``highest_issued`` (Repair found it in some file)."""
        with self._write_lock:
            self._next_number = max(self._next_number, highest_issued + 1)

    def record_state(self) -> None:
        """Record this table's files as they are now in the manifest (Repair accepts them)."""
        with self._write_lock:
            self._record_state()

    def close_files(self) -> None:
        """Close the journal without a checkpoint (the table is about to be loaded again)."""
        with self._write_lock:
            if self._journal is not None:
                self._journal.close()
                self._journal = None

    def close(self) -> None:
        self.try_checkpoint()
        with self._write_lock:
            if self._journal is not None:
                self._journal.close()
                self._journal = None
            if self._journal_rows and not self._access.read_only:
                self._refresh_journal_size()  # kept (not checkpointed): its length is now known exactly


def _first_line(path: Path) -> str:
    """The header line of a file (with its newline, without a BOM); "" when there is none."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(1 << 16)
    except FileNotFoundError:
        return ""
    end = head.find(b"\n")
    return "" if end < 0 else head[: end + 1].decode("utf-8", "replace").removeprefix(BOM)


def _formulas_escaped(rows: list[tuple[str, ...]], text_at: Sequence[int]) -> list[tuple[str, ...]]:
    """Rows with every formula a person typed into a text cell escaped, as the engine writes
    them (memory keeps cells as they were on disk; only hand-typed ones lack the quote)."""
    for i in text_at:
        joined = "\x00" + "\x00".join(row[i] for row in rows)
        if not any(f"\x00{t}" in joined for t in FORMULA_TRIGGERS):
            continue  # the common case: one join and six C-level searches per column
        rows = [row if row[i][:1] not in FORMULA_TRIGGERS or not row[i]
                else (*row[:i], "'" + row[i], *row[i + 1:]) for row in rows]
    return rows


def _has_escaped_cell(column: list[str]) -> bool:
    joined = "\x00".join(column)
    return joined.startswith("'") or "\x00'" in joined


def _unescaped(column: list[str]) -> list[str]:
    return [c[1:] if c[:1] == "'" else c for c in column] if _has_escaped_cell(column) else column


__all__ = ["ENGINE_COLUMNS", "TORN_WRITE", "ReadOnlyError", "RecordMeta", "Table", "Version"]
