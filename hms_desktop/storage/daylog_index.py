"""Per-patient line index of day files: read one patient's year without parsing everyone's.

A day file of wearable readings or vitals holds every patient's rows interleaved in arrival
order; a year of one patient's 5-minute readings sits in files 16 patients share, so parsing
them all costs seconds. Next to ``<kind>/YYYY-MM-DD.csv`` the app keeps
``<kind>/.index/YYYY-MM-DD.idx``: one fixed-size binary entry per CSV record (where it starts,
how long it is, a hash of its ``patient_id`` and a checksum of its bytes). A reader takes
one patient's lines by their offsets and parses only those, in one pandas call for the
whole range.

The CSV stays the source of truth; the index is disposable:
- the app's own writer appends to it after each append to the day file (no fsync: a lost
  or torn index is rebuilt, never trusted);
- before use it is checked against the day file (entries end within the file, every
  selected line starts and ends at a line break, the last entry's checksum matches its
  bytes); lines past its end (another tool appended, or the index write was lost) are
  indexed then; anything else that does not fit rebuilds it from the CSV;
- a read-only instance builds what it needs in memory and writes nothing;
- ``check`` only reports day files without a usable index (``index_notes``).
A hash collision only brings a few extra lines, which the caller's ``where`` filter drops.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import threading
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

KEY = "patient_id"
INDEX_DIR = ".index"
MAGIC = b"HMS-DAYIDX-1\n\0\0\0"  # 16 bytes; a new layout gets a new magic
ENTRY = np.dtype([("offset", "<u8"), ("length", "<u4"), ("key", "<u4"), ("crc", "<u4")])


def key_hash(key: str) -> int:
    return zlib.crc32(key.encode("utf-8"))


def index_path(day_file: Path) -> Path:
    return day_file.parent / INDEX_DIR / f"{day_file.stem}.idx"


def scan(data: bytes, base: int, key_at: int) -> np.ndarray:
    """Index entries for the complete CSV records in ``data``, which starts at file offset
    ``base`` on a record boundary. A torn last record (no line break yet) is left out."""
    entries = []
    start = 0
    pending = b""
    for piece in data.split(b"\n")[:-1]:
        record = pending + piece + b"\n"
        if record.count(b'"') % 2:  # a quoted line break: the record goes on
            pending = record
            continue
        pending = b""
        entries.append((base + start, len(record), key_hash(_key_of(record, key_at)), zlib.crc32(record)))
        start += len(record)
    return np.array(entries, dtype=ENTRY)


def _key_of(record: bytes, key_at: int) -> str:
    if b'"' not in record:
        raw = record.split(b",", key_at + 1)
        return raw[key_at].decode("utf-8", "replace") if len(raw) > key_at else ""
    try:
        cells = next(csv.reader(io.StringIO(record.decode("utf-8", "replace"))))
    except (csv.Error, StopIteration):
        return ""
    return cells[key_at] if len(cells) > key_at else ""


class DayIndex:
    """The per-patient index of one kind's day files (only for models with ``patient_id``)."""

    def __init__(self, columns: Sequence[str], text_flags: Sequence[bool], *, read_only: bool) -> None:
        self.columns = tuple(columns)  # the day file's columns, checksum column included
        self.header = (",".join(self.columns) + "\n").encode("utf-8")
        self.key_at = self.columns.index(KEY)
        self.text_flags = tuple(text_flags)
        self.read_only = read_only
        self._lock = threading.Lock()

    @classmethod
    def for_columns(cls, columns: Sequence[str], text_flags: Sequence[bool], *,
                    read_only: bool) -> DayIndex | None:
        return cls(columns, text_flags, read_only=read_only) if KEY in columns else None

    # ------------------------------------------------------------------ writing
    def appended(self, day_file: Path, text: str) -> None:
        """After the app appended ``text`` to ``day_file``: index its records.

        Never raises: the rows are already safely in the CSV, and an index that could not be
        written is rebuilt by the next reader.
        """
        if self.read_only:
            return
        data = text.encode("utf-8")
        try:
            with self._lock:
                end = day_file.stat().st_size
                entries, covered = self._load(day_file)
                if covered != end - len(data):  # missing, or lines it has not seen yet
                    self._rebuild_or_catch_up(day_file, entries, covered)
                    return
                self._write(day_file, scan(data, end - len(data), self.key_at), append=True)
        except (OSError, ValueError):
            with contextlib.suppress(OSError):
                index_path(day_file).unlink()

    def _write(self, day_file: Path, entries: np.ndarray, *, append: bool) -> None:
        target = index_path(day_file)
        if append and target.exists():
            with open(target, "ab") as handle:
                handle.write(entries.tobytes())
            return
        target.parent.mkdir(exist_ok=True)
        temporary = target.with_suffix(".tmp")
        temporary.write_bytes(MAGIC + entries.tobytes())
        os.replace(temporary, target)

    # ------------------------------------------------------------------ reading
    def _load(self, day_file: Path) -> tuple[np.ndarray, int]:
        """The stored entries and the file offset they cover up to (0: no usable index)."""
        try:
            raw = index_path(day_file).read_bytes()
        except OSError:
            return np.empty(0, dtype=ENTRY), 0
        if not raw.startswith(MAGIC):
            return np.empty(0, dtype=ENTRY), 0
        body = raw[len(MAGIC):]
        entries = np.frombuffer(body[: len(body) - len(body) % ENTRY.itemsize], dtype=ENTRY)
        if not len(entries):
            return entries, len(self.header) + 3  # the BOM and header only
        last = entries[-1]
        return entries, int(last["offset"]) + int(last["length"])

    def _rebuild_or_catch_up(self, day_file: Path, entries: np.ndarray,
                             covered: int) -> tuple[np.ndarray, bytes] | None:
        """Entries for the whole file (index extended or rebuilt) and the file's bytes;
        None when the file is not in the layout this index reads."""
        data = day_file.read_bytes()
        body_at = len(self.header) + 3
        if data[:body_at] != b"\xef\xbb\xbf" + self.header:
            return None
        if not self._fits(data, entries, covered):
            entries, covered = np.empty(0, dtype=ENTRY), body_at
        fresh = scan(data[covered:], covered, self.key_at)
        if len(fresh) or not len(entries):
            entries = np.concatenate([entries, fresh]) if len(entries) else fresh
            if not self.read_only:
                self._write(day_file, fresh if covered > body_at else entries, append=covered > body_at)
        return entries, data

    @staticmethod
    def _fits(data: bytes, entries: np.ndarray, covered: int) -> bool:
        if not len(entries) or covered > len(data):
            return False
        last = entries[-1]
        start = int(last["offset"])
        return zlib.crc32(data[start:start + int(last["length"])]) == int(last["crc"])

    def lines_of(self, day_file: Path, key: str) -> bytes | None:
        """The complete records of ``key``'s rows in ``day_file`` (no header), or None when
        this file must be read the ordinary way (not the app's layout)."""
        with self._lock:
            entries, covered = self._load(day_file)
            loaded = self._rebuild_or_catch_up(day_file, entries, covered)
        if loaded is None:
            return None
        entries, data = loaded
        mine = entries[entries["key"] == key_hash(key)]
        if not len(mine):
            return b""
        starts = mine["offset"].astype(np.int64)
        ends = starts + mine["length"].astype(np.int64)
        if ends[-1] > len(data):
            return None
        view = np.frombuffer(data, dtype=np.uint8)
        if (view[starts - 1] != 10).any() or (view[ends - 1] != 10).any():
            return None  # entries out of step with the file: read it the ordinary way
        return b"".join(data[s:e] for s, e in zip(starts.tolist(), ends.tolist(), strict=True))

    def frame(self, paths: Sequence[Path], where: Mapping[str, str] | None) -> tuple[pd.DataFrame | None, list[Path]]:
        """One patient's rows of ``paths`` as text columns (checksum column dropped, text
        unescaped, ``where`` applied), parsed in one pandas call; plus the files that must be
        read the ordinary way. ``(None, paths)`` when the index cannot help."""
        if not where or KEY not in where or not paths:
            return None, list(paths)
        import pandas as pd

        chunks = [self.header]
        others: list[Path] = []
        for path in paths:
            lines = self.lines_of(path, where[KEY])
            if lines is None:
                others.append(path)
            else:
                chunks.append(lines)
        try:
            frame = pd.read_csv(io.BytesIO(b"".join(chunks)), dtype=str, keep_default_na=False)
        except (ValueError, pd.errors.ParserError):
            return None, list(paths)
        if list(frame.columns) != list(self.columns) or (frame["crc"].str.len() != 8).any():
            return None, list(paths)  # a damaged line: the ordinary read quarantines it
        frame = frame.drop(columns="crc")
        for column, flag in zip(self.columns, self.text_flags, strict=False):
            if flag:
                frame[column] = frame[column].str.removeprefix("'")
        for column, value in where.items():
            frame = frame[frame[column] == value]
        return frame, others


def index_notes(folder: Path, columns: Sequence[str]) -> list[str]:
    """Day files whose index is missing or out of date (``check`` reports, never writes)."""
    index = DayIndex.for_columns(columns, [False] * len(columns), read_only=True)
    if index is None or not folder.is_dir():
        return []
    stale = []
    for path in sorted(folder.glob("*.csv")):
        try:
            data = path.read_bytes()
        except OSError:
            continue
        entries, covered = index._load(path)
        complete = data.rfind(b"\n") + 1  # a torn last line is not indexed, by design
        if not DayIndex._fits(data, entries, covered) or covered != complete:
            stale.append(path.name)
    if not stale:
        return []
    shown = ", ".join(stale[:3]) + (", …" if len(stale) > 3 else "")
    return [f"{folder}: {len(stale)} day file(s) without an up-to-date patient index ({shown}); "
            "the app rebuilds it from the CSV on the next read"]
