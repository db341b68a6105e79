"""Reading a clinic's spreadsheet: CSV in any of the usual encodings and delimiters, or xlsx.

The result is plain text cells with the line (CSV) or row (xlsx) each record started on,
so every later message can say ``file:line: field: reason`` about the place a person would
look. Nothing is interpreted here: dates, phones and names are the importer's job.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import charset_normalizer

_SNIFF_BYTES = 64 * 1024
_DELIMITERS = ",;\t|"
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


class SheetError(ValueError):
    """The file as a whole cannot be read (empty, not a spreadsheet, broken); names the file."""


@dataclass(frozen=True)
class Sheet:
    path: Path
    headers: list[str]
    rows: list[list[str]]  # padded to the header width; longer rows keep their extra cells
    lines: list[int]  # where each row starts: file line (CSV) or sheet row number (xlsx)
    encoding: str  # utf-8, utf-8-sig, cp1252, ... or "xlsx"
    delimiter: str  # "" for xlsx

    def __len__(self) -> int:
        return len(self.rows)


def detect_encoding(data: bytes) -> str:
    """BOM first; then strict UTF-8; then Windows-1252 when it decodes (it does for nearly
    every Western file: only five byte values are unassigned); else charset-normalizer."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        best = charset_normalizer.from_bytes(data).best()
        return best.encoding if best is not None else "latin-1"


def detect_delimiter(text: str) -> str:
    sample = text[:_SNIFF_BYTES]
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        counts = {d: first.count(d) for d in _DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def read_sheet(path: Path, *, encoding: str | None = None) -> Sheet:
    """Read a .csv/.txt/.tsv or .xlsx file; ``encoding`` overrides detection for CSV."""
    path = Path(path)
    if not path.is_file():
        raise SheetError(f"{path}: no such file")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    data = path.read_bytes()
    if not data.strip():
        raise SheetError(f"{path}: the file is empty")
    enc = encoding or detect_encoding(data)
    try:
        text = data.decode(enc)
    except (UnicodeDecodeError, LookupError) as exc:
        raise SheetError(f"{path}: cannot be read as {enc}: {exc}") from exc
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise SheetError(f"{path}:{line}: the file contains NUL bytes: not a text spreadsheet")
    text = text.lstrip("\ufeff")
    delimiter = detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    start = 1
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                if headers is None:
                    headers = [h.strip() for h in record]
                else:
                    rows.append(_padded(record, len(headers)))
                    lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise SheetError(f"{path}:{reader.line_num}: {exc}") from exc
    if headers is None:
        raise SheetError(f"{path}: no header row")
    return Sheet(path, headers, rows, lines, enc, delimiter)


def _padded(record: list[str], width: int) -> list[str]:
    return record + [""] * (width - len(record)) if len(record) < width else record


def _cell_text(value: object) -> str:
    """An xlsx cell as the text a person sees; dates as ISO (unambiguous, whatever the file's
    own date format), whole numbers without ".0" (phone numbers typed as numbers)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_xlsx(path: Path) -> Sheet:
    import zipfile

    import openpyxl  # only for xlsx files: keeps CSV imports light
    from openpyxl.utils.exceptions import InvalidFileException

    broken = (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except broken as exc:
        raise SheetError(f"{path}: not a readable xlsx workbook ({exc})") from exc
    try:
        return _sheet_of(path, book)
    except broken as exc:
        raise SheetError(f"{path}: the workbook is damaged ({exc})") from exc
    finally:
        book.close()


def _sheet_of(path: Path, book: Any) -> Sheet:
    sheet = book.worksheets[0]
    headers: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [_cell_text(v) for v in values]
        if not any(cells):
            continue
        if headers is None:
            headers = cells
            while headers and not headers[-1]:
                headers.pop()
        else:
            rows.append(_padded(cells[: max(len(headers), _last_filled(cells))], len(headers)))
            lines.append(number)
    if headers is None:
        raise SheetError(f"{path}: the first sheet is empty")
    return Sheet(path, headers, rows, lines, "xlsx", "")


def _last_filled(cells: list[str]) -> int:
    for index in range(len(cells), 0, -1):
        if cells[index - 1]:
            return index
    return 0
