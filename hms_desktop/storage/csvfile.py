"""The file edge: CSV lines with formula-safe text, line numbers for messages, and fsync.

Every file the engine writes is UTF-8 with a byte-order mark (so spreadsheets pick the right
encoding), ``\\n`` line ends, and text cells escaped against formula injection. Files are
created 0600 and folders 0700 whatever the umask (they hold patient data), and a new file or
folder's parent directory is fsynced before anything in it is acknowledged.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import itertools
import os
import re
import sys
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .schema import escape_text

BOM = "\ufeff"
FILE_MODE = 0o600  # patient data: readable by the clinic's OS user only
DIR_MODE = 0o700
# Python's csv module refuses a field over 131,072 characters by default: a long clinical
# note was acknowledged, then lost at the next start. No cell size is refused by the engine
# (the domain's field limits keep notes to 1 MB); C long is 32 bits on Windows.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
_NOT_UTF8 = re.compile("[\udc80-\udcff]")
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
    crc32: str = ""  # of the file's bytes (read_file only): compared with the manifest
    size: int = 0
    # Bytes that are not UTF-8 are kept as lone surrogates (surrogateescape) so the rows that
    # hold them can be named and the file written back byte for byte; False for clean files.
    not_utf8: bool = False

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


    def undecodable_rows(self) -> list[int]:
        """Rows holding bytes that are not UTF-8 (only ever non-empty when ``not_utf8``)."""
        if not self.not_utf8:
            return []
        return [n for n, cells in enumerate(self.rows) if _NOT_UTF8.search("\x1f".join(cells))]


def decode(data: bytes) -> tuple[str, bool]:
    """Text of a file and whether some bytes were not UTF-8 (kept as surrogates, never dropped)."""
    try:
        return data.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        return data.decode("utf-8-sig", "surrogateescape"), True


def first_bad_byte(text: str, *, line: bool = True) -> str:
    """``byte 0xE9 at line 3, column 12``: where the first byte that is not UTF-8 is."""
    match = _NOT_UTF8.search(text)
    if match is None:
        return "a byte"
    number = text.count("\n", 0, match.start()) + 1
    column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
    where = f"line {number}, column {column}" if line else f"column {column}"
    return f"byte 0x{ord(match.group()) - 0xDC00:02X} at {where}"


def checksum(data: bytes) -> str:
    return f"{zlib.crc32(data):08x}"


def read_file(path: Path) -> ParsedFile:
    return parse_bytes(Path(path).read_bytes())


def parse_bytes(data: bytes) -> ParsedFile:
    """A file's bytes parsed, with their CRC-32 and size (compared with the manifest)."""
    crc32, size = checksum(data), len(data)
    text, not_utf8 = decode(data)
    del data  # 30 MB at 100,000 patients: not kept alive while the rows are parsed
    parsed = parse_file(text)
    parsed.crc32, parsed.size, parsed.not_utf8 = crc32, size, not_utf8
    return parsed


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
    consumed = 1
    try:
        next(reader)
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


TornLineFn = Callable[[int, str], None]


class AppendFile:
    """An append-only file kept open; ``append`` returns only after the bytes are on disk."""

    def __init__(self, path: Path, header: str, *, on_torn: TornLineFn | None = None) -> None:
        """``on_torn(line, raw)`` receives a last line torn by a crash before it is cut off
        (a copy for the quarantine); the next record then starts on a clean line."""
        self.path = path
        make_dir(path.parent)
        existed = path.exists()
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        if not existed:
            _owner_only(self._fd)
            fsync_dir(path.parent)  # the new name is durable before anything in it is
        if not _has_complete_first_line(path):
            # Empty, or killed while writing the header: there are no records to keep.
            os.ftruncate(self._fd, 0)
        new = os.fstat(self._fd).st_size == 0
        if new:
            self.append(BOM + header)
        elif not _ends_with_newline(path):
            cut_torn_tail(path, on_torn)

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


def cut_torn_tail(path: Path, on_torn: TornLineFn | None = None) -> None:
    """Cut a final line with no newline (a crash mid-append: never acknowledged) off the file."""
    data = path.read_bytes()
    keep = data.rfind(b"\n") + 1
    if keep == len(data) or keep == 0:
        return
    if on_torn is not None:
        on_torn(data.count(b"\n") + 1, data[keep:].decode("utf-8", "replace"))
    truncate_at(path, keep)


def truncate_at(path: Path, offset: int) -> None:
    with open(path, "r+b") as handle:
        handle.truncate(offset)
        handle.flush()
        os.fsync(handle.fileno())


def _owner_only(fd: int) -> None:
    if os.name != "nt":  # Windows has no POSIX modes; the user's profile folder is private
        os.fchmod(fd, FILE_MODE)


def make_dir(folder: Path) -> None:
    """Create ``folder`` (and missing parents) 0700, fsyncing each new entry's parent."""
    folder = Path(folder)
    if folder.is_dir():
        return
    make_dir(folder.parent)
    try:
        folder.mkdir(mode=DIR_MODE)
    except FileExistsError:
        return
    if os.name != "nt":
        os.chmod(folder, DIR_MODE)  # mkdir's mode is filtered by the umask
    fsync_dir(folder.parent)


def _has_complete_first_line(path: Path) -> bool:
    with open(path, "rb") as handle:
        return b"\n" in handle.read(1 << 16)


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"


def fsync_dir(folder: Path) -> None:
    """Make a folder's entries (a created, renamed or removed file) durable.

    A no-op on Windows, which cannot open a directory: NTFS journals its metadata, and
    ``os.replace`` there is MoveFileEx with write-through.
    """
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(path: Path, chunks: Iterator[str] | Sequence[str]) -> str:
    """Replace a CSV/text file so a reader (or a crash) sees the old file or the new one, never
    half. Returns the CRC-32 of the bytes written (the manifest records it)."""
    data = (BOM + "".join(chunks)).encode("utf-8", "surrogateescape")
    replace_file(path, data)
    return checksum(data)


def write_temporary(path: Path, data: bytes, *, durable: bool = True) -> Path:
    """``data`` in ``<path>.tmp``, fsynced (unless not ``durable``: a disposable cache);
    removed again if it cannot be written whole."""
    tmp = Path(path).with_name(Path(path).name + ".tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        try:
            _owner_only(fd)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        # A full disk must not leave half a copy behind to fill it further.
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return tmp


def replace_file(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, fsync, and rename it into place
    (exports too: a calendar program must never read half a .ics)."""
    path = Path(path)
    tmp = write_temporary(path, data)
    os.replace(tmp, path)
    fsync_dir(path.parent)
