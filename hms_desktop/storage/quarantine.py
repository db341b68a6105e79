"""Rows that failed to load: kept with file, line and reason, never silently dropped."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .csvfile import AppendFile, format_header, format_line, read_records

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
    """``data/quarantine/<table>.csv``: one row per bad source row, deduplicated by content.

    A bad row stays where the user left it until fixed; seeing it again on the next start
    must not add a second entry, so entries are keyed by (file, raw text).
    """

    def __init__(self, folder: Path, *, read_only: bool) -> None:
        self._folder = folder
        self._read_only = read_only
        self._lock = threading.Lock()
        self._rows: dict[tuple[str, str], QuarantinedRow] = {}
        self._files: dict[str, AppendFile] = {}
        if folder.exists():
            for path in sorted(folder.glob("*.csv")):
                self._load(path)

    def _load(self, path: Path) -> None:
        header, records = read_records(path)
        index = {name: i for i, name in enumerate(header)}
        for record in records:
            if len(record.cells) != len(header):
                continue

            def cell(name: str, cells: list[str] = record.cells) -> str:
                value = cells[index[name]]
                return value[1:] if value.startswith("'") else value

            row = QuarantinedRow(
                cell("file"), int(cell("line") or 0), cell("reason"), cell("raw"), cell("record_id"), path.stem
            )
            self._rows[(row.file, row.raw)] = row

    def add(self, row: QuarantinedRow) -> bool:
        """Record a bad row; returns False if it was already known."""
        with self._lock:
            key = (row.file, row.raw)
            if key in self._rows:
                return False
            self._rows[key] = row
            if not self._read_only:
                target = self._files.get(row.table)
                if target is None:
                    target = AppendFile(self._folder / f"{row.table}.csv", format_header(QUARANTINE_COLUMNS))
                    self._files[row.table] = target
                found = datetime.now(UTC).isoformat(timespec="seconds")
                target.append(
                    format_line([found, row.file, str(row.line), row.reason, row.record_id, row.raw], _TEXT)
                )
            return True

    def rows(self) -> list[QuarantinedRow]:
        with self._lock:
            return list(self._rows.values())

    def ids(self, table: str) -> list[str]:
        with self._lock:
            return [r.record_id for r in self._rows.values() if r.table == table and r.record_id]

    def close(self) -> None:
        with self._lock:
            for target in self._files.values():
                target.close()
            self._files.clear()
