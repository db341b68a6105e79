"""The file edge: CSV lines with formula-safe text, line numbers for messages, and fsync.

Every file the engine writes is UTF-8 with a byte-order mark (so spreadsheets pick the right
encoding), ``\\n`` line ends, and text cells escaped against formula injection.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import itertools
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .schema import escape_text

BOM = "\ufeff"
CHUNK_ROWS = 4096  # rows per C-level call while loading: long enough to be fast, short for the GIL


def format_line(cells: Sequence[str], text_columns: Sequence[bool]) -> str:
    """One CSV record (with its newline); text cells are formula-escaped."""
    buffer = io.StringIO()
    # The csv module quotes a cell only for characters of the *line terminator*; "\r\n" makes it
    # quote a lone CR as well, then the record ends with a plain "\n".
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([escape_text(c) if is_text else c for c, is_text in zip(cells, text_columns, strict=True)])
    return buffer.getvalue()[:-2] + "\n"


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


@dataclass
class ParsedFile:
    """A CSV file as rows of cells plus what is needed to quote a bad row back to the user.

    Kept column-friendly (plain lists, source lines split only when a row is rejected)
    because a 100,000-row table must load in well under a second.
    """

    header: list[str]
    rows: list[list[str]]
    starts: Sequence[int]  # index into ``lines`` where each row starts
    text: str
    ends_with_newline: bool

    @functools.cached_property
    def lines(self) -> list[str]:
        return _split_lines(self.text)

    def line_number(self, n: int) -> int:
        return self.starts[n] + 1

    def raw(self, n: int) -> str:
        end = self.starts[n + 1] if n + 1 < len(self.starts) else len(self.lines)
        return "".join(self.lines[self.starts[n]:end]).rstrip("\r\n")

    def complete(self, n: int) -> bool:
        """Only the final row can be torn: it has no newline, or its quoting never closed."""
        if n + 1 < len(self.rows):
            return True
        return self.ends_with_newline and self.raw(n).count('"') % 2 == 0

    def records(self) -> list[RawRecord]:
        return [RawRecord(self.line_number(n), cells, self.raw(n), self.complete(n))
                for n, cells in enumerate(self.rows)]


def read_file(path: Path) -> ParsedFile:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return parse_file(handle.read())


def read_records(path: Path) -> tuple[list[str], list[RawRecord]]:
    """Header and records of a CSV file; tolerant of BOM, CRLF and quoted newlines."""
    parsed = read_file(path)
    return parsed.header, parsed.records()


def parse_records(text: str) -> tuple[list[str], list[RawRecord]]:
    parsed = parse_file(text)
    return parsed.header, parsed.records()


def parse_file(text: str) -> ParsedFile:
    if text.startswith(BOM):
        text = text[1:]
    ends_with_newline = text.endswith("\n")
    physical = text.count("\n") + (0 if ends_with_newline or not text else 1)
    if physical == 0:
        return ParsedFile([], [], [], text, True)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
        rows: list[list[str]] = []
        # In chunks: one list(reader) over 100,000 lines holds the GIL for ~0.4 s and freezes
        # the window while a table loads on the writer thread.
        while chunk := list(itertools.islice(reader, CHUNK_ROWS)):
            rows.extend(chunk)
        if len(rows) == physical - 1 and all(rows):
            # The common case: one record per physical line, no blank lines.
            return ParsedFile(header, rows, range(1, physical), text, ends_with_newline)
    except csv.Error:
        pass
    return _parse_by_lines(text, ends_with_newline)


def _parse_by_lines(text: str, ends_with_newline: bool) -> ParsedFile:
    """Multi-line cells, blank lines or broken quoting: track where every record starts."""
    lines = _split_lines(text)
    header = next(csv.reader([lines[0]]))
    parsed = ParsedFile(header, [], [], text, ends_with_newline)
    parsed.lines = lines
    starts: list[int] = []
    parsed.starts = starts
    reader = csv.reader(lines, strict=True)
    next(reader)
    consumed = 1
    try:
        for cells in reader:
            start, consumed = consumed, reader.line_num
            if not cells and not "".join(lines[start:consumed]).strip():
                continue
            parsed.rows.append(cells)
            starts.append(start)
    except csv.Error:
        # Broken quoting: parse the rest record by record so one bad line costs only itself.
        for start, cells in _parse_slowly(lines, consumed):
            parsed.rows.append(cells)
            starts.append(start)
    return parsed


def _split_lines(text: str) -> list[str]:
    """Split on \\n only: str.splitlines would also split on \\x1c-\\x1e, \\x85, U+2028 in cells."""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    if not lines[-1]:
        lines.pop()
    return lines


def _parse_slowly(lines: list[str], index: int) -> Iterator[tuple[int, list[str]]]:
    while index < len(lines):
        start = index
        chunk = lines[index]
        index += 1
        while chunk.count('"') % 2 == 1 and index < len(lines):
            chunk += lines[index]
            index += 1
        if chunk.strip() == "":
            continue
        try:
            cells = next(csv.reader([chunk], strict=True))
        except (csv.Error, StopIteration):
            cells = []
        yield start, cells


class AppendFile:
    """An append-only file kept open; ``append`` returns only after the bytes are on disk."""

    def __init__(self, path: Path, header: str) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        if not _has_complete_first_line(path):
            # Empty, or killed while writing the header: there are no records to keep.
            os.ftruncate(self._fd, 0)
        new = os.fstat(self._fd).st_size == 0
        if new:
            self.append(BOM + header)
            fsync_dir(path.parent)
        elif not _ends_with_newline(path):
            # A torn last line (crash mid-write) must not swallow the next record.
            self.append("\n")

    def append(self, text: str) -> None:
        """Write, fsync, and make sure the file is still in the folder; all or nothing.

        On failure (disk full, permission lost, I/O error) the partial bytes are cut off
        again, so the next append starts on a clean line, and the error propagates: the
        caller must never report the change as saved.
        """
        data = text.encode("utf-8")
        size_before = os.fstat(self._fd).st_size
        try:
            view = memoryview(data)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
            os.fsync(self._fd)
            if os.fstat(self._fd).st_nlink == 0:
                # Writing to a deleted file succeeds and loses everything: say so instead.
                raise FileNotFoundError(f"{self.path} was removed (is the data folder still there?)")
        except OSError:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, size_before)
            raise

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def _has_complete_first_line(path: Path) -> bool:
    with open(path, "rb") as handle:
        return b"\n" in handle.read(1 << 16)


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
    """Replace a CSV/text file so a reader (or a crash) sees the old file or the new one, never half."""
    replace_file(path, (BOM + "".join(chunks)).encode("utf-8"))


def replace_file(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, fsync, and rename it into place
    (exports too: a calendar program must never read half a .ics)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)
