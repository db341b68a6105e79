"""Rows that failed to load: kept with file, line and reason, never silently dropped."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .csvfile import AppendFile, format_header, format_line, read_records
from .schema import unescape_text

QUARANTINE_COLUMNS = ("found_at", "file", "line", "reason", "record_id", "raw")
_TEXT = (False, True, False, True, True, True)


@dataclass(frozen=True, slots=True)
class QuarantinedRow:
    file: str  # relative to the data folder, e.g. "patients.csv"
    line: int
    reason: str
    raw: str
    record_id: str = ""
    table: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


class Quarantine:
    """Rows that could not be loaded in this session, and ``data/quarantine/<table>.csv``.

    What is listed (``rows()``) reflects the files as they are now: it is rebuilt at every
    start, so a row a person fixed is no longer reported. The files in ``quarantine/`` are
    the copies: every bad row once (keyed by file and raw text), never deleted, so a row
    that was set aside (a torn journal tail) or discarded by Repair can still be read.
    """

    def __init__(self, folder: Path, *, read_only: Callable[[], bool]) -> None:
        self._folder = folder
        self._read_only = read_only
        self._lock = threading.Lock()
        self._rows: dict[tuple[str, str], QuarantinedRow] = {}
        self._copied: set[tuple[str, str]] = set()
        self._files: dict[str, AppendFile] = {}
        if folder.exists():
            for path in sorted(folder.glob("*.csv")):
                self._load(path)

    def _load(self, path: Path) -> None:
        """Only which rows already have a copy: a damaged copy file must not stop the folder."""
        try:
            header, records = read_records(path)
        except OSError:
            return
        index = {name: i for i, name in enumerate(header)}
        if "file" not in index or "raw" not in index:
            return
        for record in records:
            if len(record.cells) == len(header):
                file, raw = record.cells[index["file"]], record.cells[index["raw"]]
                self._copied.add((unescape_text(file), unescape_text(raw)))

    def add(self, row: QuarantinedRow) -> bool:
        """Record a bad row; returns False if it was already known in this session."""
        with self._lock:
            key = (row.file, row.raw)
            if key in self._rows:
                return False
            self._rows[key] = row
            if key not in self._copied and not self._read_only():
                target = self._files.get(row.table)
                if target is None:
                    target = AppendFile(self._folder / f"{row.table}.csv", format_header(QUARANTINE_COLUMNS))
                    self._files[row.table] = target
                found = datetime.now(UTC).isoformat(timespec="seconds")
                target.append(
                    format_line([found, row.file, str(row.line), row.reason, row.record_id, row.raw], _TEXT)
                )
                self._copied.add(key)
            return True

    def rows(self) -> list[QuarantinedRow]:
        with self._lock:
            return list(self._rows.values())

    def ids(self, table: str) -> list[str]:
        with self._lock:
            return [r.record_id for r in self._rows.values() if r.table == table and r.record_id]

    def forget(self, table: str) -> None:
        """A table was reloaded (after Repair): its rows are found again if still bad."""
        with self._lock:
            self._rows = {k: r for k, r in self._rows.items() if r.table != table}

    def close(self) -> None:
        with self._lock:
            for target in self._files.values():
                target.close()
            self._files.clear()
