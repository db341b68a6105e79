"""The data folder: lock, manifest, tables, day logs and the quarantine."""

from __future__ import annotations

import contextlib
import getpass
import logging
import os
import shutil
import threading
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .access import FolderAccess
from .audit_chain import AuditChain
from .csvfile import DIR_MODE, make_dir
from .daylog import DayLog
from .lock import FolderLock
from .manifest import MANIFEST, IntegrityProblem, Manifest, verify
from .quarantine import Quarantine, QuarantinedRow
from .rows_cache import CACHE_DIR
from .schema import M, TableSpec
from .table import Table
from .table_load import Collision

log = logging.getLogger(__name__)

FREE_SPACE_FACTOR = 10  # warn below 10x the largest table: room for checkpoints and growth
FREE_SPACE_FLOOR = 50 * 1024 * 1024


class Store:
    """Opens one data folder. The first process to open it writes; any other only reads.

    Opening compares every file with what ``manifest.json`` recorded (by size, without
    parsing); a missing, emptied or truncated file makes the folder read-only until a person
    restores it or confirms Repair. Tables load lazily on first use (``table(spec)``) so the
    window can appear before a 100,000-patient table is in memory.
    """

    def __init__(self, data_dir: Path | str, *, actor: str | None = None, read_only: bool = False,
                 checkpoint_every: int = 10_000) -> None:
        self.data_dir = Path(data_dir).resolve()
        make_dir(self.data_dir)
        self._actor = actor or _os_user()
        self.access = FolderAccess()
        self._lock_file: FolderLock | None = None
        if read_only:
            self.access.lock_reason = "opened read-only on request"
        else:
            self._lock_file = FolderLock(self.data_dir)
            if not self._lock_file.acquired:
                # Another writer (named) or a folder this account may not write (issue 10 item 12).
                self.access.lock_reason = self._lock_file.refusal
        self._checkpoint_every = checkpoint_every
        self._manifest = Manifest(self.data_dir)
        self._verify_at_open()
        self._quarantine = Quarantine(self.data_dir / "quarantine", read_only=lambda: self.access.read_only)
        #: What opening tidied up (stale temporary files), for the status bar and ``check``
        self.notes: list[str] = []
        if not self.access.read_only:
            self._remove_stale_temporaries()
            if not self._manifest.exists:
                if os.name != "nt" and not any(self.data_dir.glob("*.csv")):
                    os.chmod(self.data_dir, DIR_MODE)  # a new folder (made by a caller): owner only
                self._manifest.save()
        #: The tamper-evident record of every line written (``audit_chain``); None read-only
        self.audit_chain: AuditChain | None = None
        if self.holds_lock and not self.access.lock_reason:
            self.audit_chain = AuditChain(self.data_dir)
            self.notes += self.audit_chain.notes
            self._manifest.anchor = self.audit_chain.anchor
            if not self.access.read_only:
                self._manifest.save()  # anchored from the start
        self._tables: dict[str, Table[Any]] = {}
        self._day_logs: dict[str, DayLog[Any]] = {}
        self._open_lock = threading.Lock()  # the tables and day logs dicts: held for lookups only
        # One table loads at a time (loading touches the shared manifest, quarantine and chain),
        # under its own lock, so a lookup of a loaded table, ``tables()`` or a day log never
        # waits for another table's load: the window asked those on the GUI thread and froze
        # while the writer loaded in the background (bench/startup.py).
        self._load_lock = threading.RLock()
        self.closed = False

    @property
    def holds_lock(self) -> bool:
        """This process owns the folder (even when a data problem made it read-only)."""
        return self._lock_file is not None and self._lock_file.acquired

    @property
    def held_elsewhere(self) -> bool:
        """Another running program holds the folder (not: opened read-only for another reason)."""
        return self._lock_file is not None and not self._lock_file.acquired and bool(self._lock_file.holder)

    @property
    def can_repair(self) -> bool:
        return self.holds_lock and not self.access.lock_reason

    # ------------------------------------------------------------------ state at open
    def _verify_at_open(self) -> None:
        if self._lock_file is None or not self._lock_file.acquired:
            # Another process may be writing (check beside the running app): a checkpoint
            # between reading the manifest and looking at the files is not a lost file.
            for _ in range(3):
                if not self._manifest.problems and not verify(self.data_dir, self._manifest):
                    break
                self._manifest = Manifest(self.data_dir)
        for problem in self._manifest.problems:
            self.access.add(problem)
        if not self._manifest.exists and self._engine_was_here():
            self.access.add(IntegrityProblem(
                MANIFEST, "is missing, so a lost or truncated table cannot be told from a complete one"))
        for problem in verify(self.data_dir, self._manifest):
            self.access.add(problem)

    def _engine_was_here(self) -> bool:
        """Journals or history exist: this folder had a manifest (a hand-made one has neither)."""
        history = self.data_dir / "history"
        return any(self.data_dir.glob("*.journal.csv")) or (history.is_dir() and any(history.iterdir()))

    def _remove_stale_temporaries(self) -> None:
        """A checkpoint killed (or out of disk) mid-write leaves ``*.tmp``: never the real file."""
        for tmp in [*self.data_dir.glob("*.tmp"), *self.data_dir.glob("history/*.tmp")]:
            with contextlib.suppress(OSError):
                size = tmp.stat().st_size
                tmp.unlink()
                self.notes.append(f"{tmp.relative_to(self.data_dir)}: removed an unfinished temporary file "
                                  f"({size:,} bytes) left by an interrupted save")
        for tmp in (self.data_dir / CACHE_DIR).glob("*.tmp"):  # a disposable cache: nothing to report
            with contextlib.suppress(OSError):
                tmp.unlink()

    @property
    def actor(self) -> str:
        """Who is written into ``updated_by``: the signed-in user (the OS user until one signs in)."""
        return self._actor

    @actor.setter
    def actor(self, actor: str) -> None:
        self._actor = actor
        for table in list(self._tables.values()):
            table.set_actor(actor)

    @property
    def read_only(self) -> bool:
        return self.access.read_only

    @property
    def read_only_reason(self) -> str:
        return self.access.reason

    @property
    def manifest(self) -> Manifest:
        return self._manifest

    # ------------------------------------------------------------------ tables and day logs
    def table(self, spec: TableSpec) -> Table[Any]:
        """The loaded table for ``spec`` (loading it on first use; thread-safe)."""
        table = self._loaded(spec)
        if table is not None:
            return table
        with self._load_lock:
            table = self._loaded(spec)  # loaded by another thread while this one waited
            if table is None:
                table = self._load_table(spec)
                with self._open_lock:
                    self._tables[spec.name] = table
            return table

    def _loaded(self, spec: TableSpec) -> Table[Any] | None:
        with self._open_lock:
            table = self._tables.get(spec.name)
        if table is not None and table.spec.model is not spec.model:
            raise ValueError(f"table {spec.name!r} is already open with another model")
        return table

    def _load_table(self, spec: TableSpec) -> Table[Any]:
        stored = self._manifest.schema_version(spec.name)
        if not self._manifest.usable:
            stored = spec.schema_version  # unknown: read as the current layout (read-only anyway)
        elif stored is None and (self.data_dir / f"{spec.name}.csv").exists():
            stored = 1  # written before the manifest knew it: the first schema
        table: Table[Any] = Table(
            spec, self.data_dir, self._quarantine, actor=self.actor, access=self.access,
            manifest=self._manifest, stored_schema_version=stored, checkpoint_every=self._checkpoint_every,
            chain=self.audit_chain,
        )
        if table.needs_rewrite and not self.read_only:
            table.try_checkpoint()  # a migrated table is rewritten once, in the new layout
        return table

    def is_loaded(self, name: str) -> bool:
        """The table is in memory (a table not loaded is never checkpointed; its files were
        still compared with the manifest when the folder opened)."""
        with self._open_lock:
            return name in self._tables

    def reload(self, spec: TableSpec) -> Table[Any]:
        """Load a table again from its files (Repair changed them)."""
        with self._load_lock:
            with self._open_lock:
                old = self._tables.pop(spec.name, None)
            if old is not None:
                old.close_files()
            self._quarantine.forget(spec.name)
            table = self._load_table(spec)
            with self._open_lock:
                self._tables[spec.name] = table
            return table

    def tables(self) -> list[Table[Any]]:
        with self._open_lock:
            return list(self._tables.values())

    def day_log(self, kind: str, model: type[M]) -> DayLog[M]:
        with self._open_lock:
            log_ = self._day_logs.get(kind)
            if log_ is None:
                log_ = DayLog(self.data_dir / kind, model, self._quarantine, access=self.access,
                              chain=self.audit_chain)
                self._day_logs[kind] = log_
            return log_

    # ------------------------------------------------------------------ what a person must know
    @property
    def quarantine(self) -> list[QuarantinedRow]:
        return self._quarantine.rows()

    @property
    def integrity_problems(self) -> list[IntegrityProblem]:
        return list(self.access.problems)

    def findings(self) -> list[str]:
        """``file:line: text`` problems that reject no row: changed headers, formula cells."""
        return [finding for table in self.tables() for finding in table.findings]

    def formula_findings(self) -> list[str]:
        """Formulas typed by hand into text cells (``check`` runs this; it reads every table file)."""
        return [finding for table in self.tables() for finding in table.formula_findings()]

    def collisions(self) -> list[str]:
        """IDs found on two records, until a person confirms Repair."""
        recorded = [f"{c.get('where', '?')}: ID {c.get('id', '?')} was given to two records; the later keeps "
                    f"it and the earlier one is restored as {c.get('restored_as', '?')}. Check what refers to "
                    f"{c.get('id', '?')}, then confirm Repair" for c in self._manifest.unresolved_collisions()]
        found: list[Collision] = [c for table in self.tables() for c in table.collisions if not c.restored_as]
        return recorded + [str(c) for c in found]

    def blocked_rewrites(self) -> list[str]:
        return [table.rewrite_blocked for table in self.tables() if table.rewrite_blocked]

    def checkpoint_problems(self) -> list[str]:
        return [table.checkpoint_problem for table in self.tables() if table.checkpoint_problem]

    def free_space_warning(self) -> str:
        """A status-bar warning when the disk is nearly full ("" when there is room)."""
        try:
            free = shutil.disk_usage(self.data_dir).free
            largest = max((p.stat().st_size for p in self.data_dir.glob("*.csv")), default=0)
        except OSError:
            return ""
        threshold = max(FREE_SPACE_FACTOR * largest, FREE_SPACE_FLOOR)
        if free >= threshold:
            return ""
        return (f"Low disk space: {free / 1e6:,.0f} MB free where the data folder is "
                f"(keep at least {threshold / 1e6:,.0f} MB); saving may soon fail")

    # ------------------------------------------------------------------ closing
    def checkpoint(self) -> None:
        """Checkpoint every table; a failure is housekeeping (see ``checkpoint_problems``)."""
        for table in self.tables():
            table.try_checkpoint()

    def close(self) -> None:
        """Checkpoint every table and release the folder; safe to call twice.

        A checkpoint that fails (a full disk) does not fail the close: the journals hold
        every change, and the next start replays them.
        """
        if self.closed:
            return
        for table in self.tables():
            table.close()
        for day_log in list(self._day_logs.values()):
            day_log.close()
        self._quarantine.close()
        if self.audit_chain is not None:
            self.audit_chain.close()
            if not self.access.read_only:
                with contextlib.suppress(OSError):  # the anchor is a check; closing never fails for it
                    self._manifest.save()
        if self._lock_file is not None:
            self._lock_file.release()
        self.closed = True

    def abandon(self) -> None:
        """Let go of every file as a dying process would: no checkpoint, no closing audit entry,
        nothing flushed beyond what each write already made durable. For crash simulations that
        die many times in one process (tests/storage/test_torn_writes.py); never a way to quit."""
        for table in self.tables():
            table.close_files()
        for day_log in list(self._day_logs.values()):
            day_log.close()  # appends are durable when written; this only drops the handles
        self._quarantine.close()
        if self.audit_chain is not None:
            self.audit_chain.abandon()
        if self._lock_file is not None:
            self._lock_file.release()
        self.closed = True


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


__all__ = ["BaseModel", "Store"]
