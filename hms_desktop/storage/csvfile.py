"""The file edge: CSV lines with formula-safe text, line numbers for messages, and fsync.

Every file the engine writes is UTF-8 with a byte-order mark (so spreadsheets pick the right
encoding), ``\\n`` line ends, and text cells escaped against formula injection.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .schema import escape_text

BOM = "\ufeff"


def format_line(cells: Sequence[str], text_columns: Sequence[bool]) -> str:
    """One CSV record (with its newline); text cells are formula-escaped."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([escape_text(c) if is_text else c for c, is_text in zip(cells, text_columns, strict=True)])
    return buffer.getvalue()


def format_header(columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(columns)
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One parsed CSV record with the line it starts on and its exact source text."""

    line: int
    cells: list[str]
    raw: str
    complete: bool  # False for a final record with no newline (a torn write)


def read_records(path: Path) -> tuple[list[str], list[RawRecord]]:
    """Header and records of a CSV file; tolerant of BOM, CRLF and quoted newlines."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        text = handle.read()
    return parse_records(text)


def parse_records(text: str) -> tuple[list[str], list[RawRecord]]:
    if text.startswith(BOM):
        text = text[1:]
    lines = text.splitlines(keepends=True)
    if not lines:
        return [], []
    header = next(csv.reader([lines[0]]))
    records: list[RawRecord] = []
    reader = csv.reader(lines, strict=True)
    next(reader)
    consumed = 1
    try:
        for cells in reader:
            start, consumed = consumed, reader.line_num
            raw = "".join(lines[start:consumed])
            if raw.strip() == "":
                continue
            records.append(RawRecord(start + 1, cells, raw.rstrip("\r\n"), raw.endswith("\n")))
    except csv.Error:
        # Broken quoting somewhere: parse the rest record by record so one bad line
        # costs only itself.
        records.extend(_parse_slowly(lines, consumed))
    return header, records


def _parse_slowly(lines: list[str], index: int) -> Iterator[RawRecord]:
    while index < len(lines):
        start = index
        chunk = lines[index]
        index += 1
        while chunk.count('"') % 2 == 1 and index < len(lines):
            chunk += lines[index]
            index += 1
        if chunk.strip() == "":
            continue
        complete = chunk.endswith("\n") and chunk.count('"') % 2 == 0
        try:
            cells = next(csv.reader([chunk], strict=True))
        except (csv.Error, StopIteration):
            cells, complete = [], False
        yield RawRecord(start + 1, cells, chunk.rstrip("\r\n"), complete)


class AppendFile:
    """An append-only file kept open; ``append`` returns only after the bytes are on disk."""

    def __init__(self, path: Path, header: str) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        new = not path.exists() or path.stat().st_size == 0
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        if new:
            self.append(BOM + header)
            fsync_dir(path.parent)
        elif not _ends_with_newline(path):
            # A torn last line (crash mid-write) must not swallow the next record.
            self.append("\n")

    def append(self, text: str) -> None:
        data = text.encode("utf-8")
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
        os.fsync(self._fd)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(path: Path, chunks: Iterator[str] | Sequence[str]) -> None:
    """Replace ``path`` so a reader (or a crash) sees the old file or the new one, never half."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as handle:
        handle.write(BOM)
        for chunk in chunks:
            handle.write(chunk)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)
