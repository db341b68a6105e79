"""``manifest.json``: what every table's files should look like, so a lost file is noticed.

Per table the manifest keeps the schema version, the rows and sequence number at the last
checkpoint, the highest ID that may have been issued, and one entry per file (checkpoint,
journal, history) with its role and size — the checkpoint also with its CRC-32. Opening a
folder compares those entries with ``os.stat`` alone (no file is parsed, no table loaded),
so a deleted, emptied or truncated file is named before anything is written. The file
entries are open-ended dictionaries: a later format can add a hash chain per file.

Written atomically (temp file, fsync, rename, fsync folder) at each checkpoint, when a
journal is started, every ``ID_BLOCK`` new IDs (reserving them: an ID is never issued twice,
even if a journal is later lost) and every ``REFRESH_ROWS`` journal rows.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .csvfile import decode, first_bad_byte, write_atomically

MANIFEST = "manifest.json"
FORMAT_VERSION = 2
ID_BLOCK = 100  # IDs reserved per manifest write: at most this gap after a crash
REFRESH_ROWS = 1000  # journal rows between two records of the journal's size

CHECKPOINT, JOURNAL, HISTORY = "checkpoint", "journal", "history"


@dataclass(frozen=True, slots=True)
class IntegrityProblem:
    """A file that is not what the manifest recorded (or the manifest itself is unusable)."""

    file: str  # relative to the data folder
    message: str
    table: str = ""

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


@dataclass
class TableState:
    """What the manifest expects of one table's files."""

    schema_version: int
    rows: int = 0  # lines in the checkpoint, loadable or not
    seq: int = 0  # highest change number known to be on disk
    highest_id: int = 0  # highest ID number that may have been issued
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # relative path -> entry
    pending: dict[str, Any] | None = None  # a checkpoint in progress (crash-safe hand-over)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"schema_version": self.schema_version, "rows": self.rows, "seq": self.seq,
                               "highest_id": self.highest_id, "files": self.files}
        if self.pending is not None:
            out["pending"] = self.pending
        return out

    def file(self, role: str) -> tuple[str, dict[str, Any]] | None:
        for name, entry in self.files.items():
            if entry.get("role") == role:
                return name, entry
        return None


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def parse_table_state(name: str, raw: Any) -> TableState | int | str:
    """A table entry: TableState, an int (format 1: schema version only), or a problem text."""
    if _int(raw):
        return int(raw)
    if not isinstance(raw, dict):
        return f'tables.{name} should be an object or a schema version number, found {json.dumps(raw)}'
    for key in ("schema_version", "rows", "seq", "highest_id"):
        if not _int(raw.get(key, 0)):
            return f"tables.{name}.{key} should be a whole number, found {json.dumps(raw.get(key))}"
    files = raw.get("files", {})
    if not isinstance(files, dict) or not all(
        isinstance(entry, dict) and entry.get("role") in (CHECKPOINT, JOURNAL, HISTORY)
        and _int(entry.get("size", 0)) for entry in files.values()
    ):
        return f"tables.{name}.files should map file names to {{role, size}} objects"
    pending = raw.get("pending")
    if pending is not None and not isinstance(pending, dict):
        return f"tables.{name}.pending should be an object"
    return TableState(int(raw.get("schema_version", 1)), int(raw.get("rows", 0)), int(raw.get("seq", 0)),
                      int(raw.get("highest_id", 0)), {str(k): dict(v) for k, v in files.items()}, pending)


class Manifest:
    """The parsed manifest, its problems, and atomic updates (thread-safe)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / MANIFEST
        self._lock = threading.Lock()
        self.problems: list[IntegrityProblem] = []
        self.legacy = False  # format 1: schema versions only, nothing to compare files with
        self.exists = self.path.exists()
        self.data: dict[str, Any] = {"format": FORMAT_VERSION, "app": "HMS Desktop", "tables": {}}
        self.states: dict[str, TableState] = {}
        self.schema_versions: dict[str, int] = {}
        #: The audit chain's head, recorded at every save (``audit_chain.AuditChain.anchor``)
        self.anchor: Callable[[], dict[str, Any]] | None = None
        if self.exists:
            self._read()

    def _problem(self, message: str) -> None:
        self.problems.append(IntegrityProblem(MANIFEST, message))

    def _read(self) -> None:
        try:
            text, not_utf8 = decode(self.path.read_bytes())
        except OSError as exc:
            self._problem(f"cannot be read ({exc.strerror or exc})")
            return
        if not_utf8:
            self._problem(f"is not UTF-8 ({first_bad_byte(text)})")
            return
        if not text.strip():
            self._problem("is empty (0 bytes): the record of what each table should hold is lost")
            return
        try:
            data = json.loads(text)
        except ValueError as exc:
            self._problem(f"is not valid JSON ({exc})")
            return
        if not isinstance(data, dict):
            self._problem("should hold a JSON object")
            return
        tables = data.get("tables", {})
        if not isinstance(tables, dict):
            self._problem(f'"tables" should be an object of tables, found {json.dumps(tables)[:40]}')
            return
        fmt = data.get("format", 1)
        if not _int(fmt) or fmt > FORMAT_VERSION:
            self._problem(f'"format" {json.dumps(fmt)} is not one this version of HMS Desktop understands')
            return
        self.data = data
        for name, raw in tables.items():
            parsed = parse_table_state(str(name), raw)
            if isinstance(parsed, str):
                self._problem(parsed)
            elif isinstance(parsed, int):
                self.schema_versions[name] = parsed
                self.legacy = True
            else:
                self.states[name] = parsed
                self.schema_versions[name] = parsed.schema_version

    @property
    def usable(self) -> bool:
        return not self.problems

    def schema_version(self, table: str) -> int | None:
        return self.schema_versions.get(table)

    def state(self, table: str) -> TableState | None:
        return self.states.get(table)

    def list_of(self, key: str) -> list[dict[str, Any]]:
        value = self.data.get(key, [])
        return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []

    def save(self, table: str | None = None, state: TableState | None = None,
             extra: Mapping[str, Any] | None = None) -> None:
        """Record ``state`` for ``table`` (and top-level ``extra`` keys); durable on return."""
        with self._lock:
            states, versions = dict(self.states), dict(self.schema_versions)
            if table is not None and state is not None:
                states[table] = state
                versions[table] = state.schema_version
            data = dict(self.data)
            data["format"] = FORMAT_VERSION
            data.setdefault("app", "HMS Desktop")
            tables: dict[str, Any] = dict(versions)
            tables.update({name: s.to_json() for name, s in states.items()})
            data["tables"] = dict(sorted(tables.items()))
            data.update(extra or {})
            if self.anchor is not None:
                data["audit_chain"] = self.anchor()
            write_atomically(self.path, [json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"])
            # Only what is on disk counts: a failed write (a full disk) leaves the old record.
            self.states, self.schema_versions, self.data = states, versions, data
            self.exists = True

    def reset(self, table: str, *, highest_id: int, schema_version: int) -> None:
        """Forget what was recorded of a table's files (Repair records them afresh), keeping
        the highest ID that may have been issued."""
        with self._lock:
            self.states[table] = TableState(schema_version, highest_id=highest_id)
            self.schema_versions[table] = schema_version
            self.problems.clear()

    def record_collisions(self, found: list[dict[str, Any]]) -> None:
        """Remember IDs found on two records until a person confirms Repair."""
        if found:
            self.save(extra={"collisions": [*self.list_of("collisions"), *found]})

    def unresolved_collisions(self) -> list[dict[str, Any]]:
        return [c for c in self.list_of("collisions") if not c.get("resolved_by")]


def verify(data_dir: Path, manifest: Manifest) -> list[IntegrityProblem]:
    """Compare every file the manifest lists with the disk by ``stat`` alone."""
    problems: list[IntegrityProblem] = []
    for table, state in manifest.states.items():
        problems.extend(verify_table(data_dir, table, state))
    return problems


def verify_table(data_dir: Path, table: str, state: TableState) -> list[IntegrityProblem]:
    problems: list[IntegrityProblem] = []
    pending = state.pending or {}
    for name, entry in state.files.items():
        path = data_dir / name
        role, expected = entry.get("role"), int(entry.get("size", 0))
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            size = -1
        if role == CHECKPOINT:
            allowed = {expected, int(pending.get("checkpoint_size", expected))}
            if size == -1:
                problems.append(IntegrityProblem(name, f"is missing (it held {state.rows} row(s) of {table})", table))
            elif size in allowed:
                pass
            elif size == 0:
                problems.append(IntegrityProblem(name, f"is empty (0 bytes): its {state.rows} row(s) of {table} "
                                                       "are gone", table))
            else:
                what = "cut short or edited" if size < expected else "changed"
                problems.append(IntegrityProblem(
                    name, f"is {size:,} bytes, {expected:,} expected: {what} outside HMS Desktop since it "
                    "was last saved", table))
        elif role == JOURNAL:
            rotated = pending.get("history")
            if size == -1 and not (rotated and (data_dir / rotated).exists()):
                problems.append(IntegrityProblem(
                    name, f"is missing: the changes to {table} since its last checkpoint are lost", table))
            elif 0 <= size < expected:
                problems.append(IntegrityProblem(
                    name, f"is {size:,} bytes, at least {expected:,} expected: changes were cut off", table))
        elif role == HISTORY:
            if size == -1:
                problems.append(IntegrityProblem(name, f"is missing: earlier versions of {table} records "
                                                       "(the audit trail) are lost", table))
            elif size != expected:
                problems.append(IntegrityProblem(
                    name, f"is {size:,} bytes, {expected:,} expected: history is never changed", table))
    return problems
