"""The data folder: lock, manifest, tables, day logs and the quarantine."""

from __future__ import annotations

import getpass
import json
import threading
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .csvfile import write_atomically
from .daylog import DayLog
from .lock import FolderLock
from .quarantine import Quarantine, QuarantinedRow
from .schema import M, TableSpec
from .table import Table

MANIFEST = "manifest.json"
FORMAT_VERSION = 1


class Store:
    """Opens one data folder. The first process to open it writes; any other only reads.

    Tables load lazily on first use (``table(spec)``) so the window can appear before a
    100,000-patient table is in memory.
    """

    def __init__(self, data_dir: Path | str, *, actor: str | None = None, read_only: bool = False,
                 checkpoint_every: int = 10_000) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.actor = actor or _os_user()
        self._lock_file: FolderLock | None = None
        if read_only:
            self.read_only = True
            self.read_only_reason = "opened read-only on request"
        else:
            self._lock_file = FolderLock(self.data_dir)
            self.read_only = not self._lock_file.acquired
            # Another writer (named) or a folder this account may not write (issue 10 item 12).
            self.read_only_reason = self._lock_file.refusal
        self._checkpoint_every = checkpoint_every
        self._quarantine = Quarantine(self.data_dir / "quarantine", read_only=self.read_only)
        self._manifest = self._read_manifest()
        self._tables: dict[str, Table[Any]] = {}
        self._day_logs: dict[str, DayLog[Any]] = {}
        self._open_lock = threading.Lock()
        self.closed = False

    def _read_manifest(self) -> dict[str, Any]:
        path = self.data_dir / MANIFEST
        if path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8-sig"))
                if isinstance(data, dict):
                    data.setdefault("tables", {})
                    return data
            except ValueError:
                pass
        return {"format": FORMAT_VERSION, "app": "HMS Desktop", "tables": {}}

    def _write_manifest(self) -> None:
        if self.read_only:
            return
        text = json.dumps(self._manifest, indent=2, sort_keys=True) + "\n"
        write_atomically(self.data_dir / MANIFEST, [text])

    def table(self, spec: TableSpec) -> Table[Any]:
        """The loaded table for ``spec`` (loading it on first use; thread-safe)."""
        with self._open_lock:
            table = self._tables.get(spec.name)
            if table is not None:
                if table.spec.model is not spec.model:
                    raise ValueError(f"table {spec.name!r} is already open with another model")
                return table
            stored = self._manifest["tables"].get(spec.name)
            if stored is None and (self.data_dir / f"{spec.name}.csv").exists():
                stored = 1  # written before the manifest knew it: the first schema
            table = Table(
                spec, self.data_dir, self._quarantine, actor=self.actor, read_only=self.read_only,
                stored_schema_version=stored, checkpoint_every=self._checkpoint_every,
                read_only_reason=lambda: self.read_only_reason,
            )
            if stored != spec.schema_version and not self.read_only:
                table.checkpoint()  # a migrated table is rewritten once, in the new layout
                self._manifest["tables"][spec.name] = spec.schema_version
                self._write_manifest()
            self._tables[spec.name] = table
            return table

    def tables(self) -> list[Table[Any]]:
        with self._open_lock:
            return list(self._tables.values())

    def day_log(self, kind: str, model: type[M]) -> DayLog[M]:
        with self._open_lock:
            log = self._day_logs.get(kind)
            if log is None:
                log = DayLog(self.data_dir / kind, model, self._quarantine, read_only=self.read_only,
                             read_only_reason=self.read_only_reason)
                self._day_logs[kind] = log
            return log

    @property
    def quarantine(self) -> list[QuarantinedRow]:
        return self._quarantine.rows()

    def checkpoint(self) -> None:
        for table in self.tables():
            table.checkpoint()

    def close(self) -> None:
        """Checkpoint every table and release the folder; safe to call twice."""
        if self.closed:
            return
        for table in self.tables():
            table.close()
        for log in list(self._day_logs.values()):
            log.close()
        self._quarantine.close()
        if self._lock_file is not None:
            self._lock_file.release()
        self.closed = True


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


__all__ = ["BaseModel", "Store"]
