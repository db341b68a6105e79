"""Per-patient line index of day files: read one patient's year without parsing everyone's.

A day file of wearable readings or vitals holds every patient's rows interleaved in arrival
order; a year of one patient's 5-minute readings sits in files 16 patients share, so parsing
them all costs seconds. Next to ``<kind>/YYYY-MM-DD.csv`` the app keeps
``<kind>/.index/YYYY-MM-DD.idx``: one fixed-size binary entry per CSV record (where it starts,
how long it is, a hash of its ``patient_id`` and a checksum of its bytes). A reader takes
one patient's lines by their offsets and parses only those: in one pandas call for the
whole range (``frame``), or, for a chart, only the charted columns, column-wise in numpy
(``series``, with ``daylog_lines.py``).

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
import logging
import os
import threading
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel

from .daylog_lines import Lines, all_hex8, cell_bounds, cells, decimals, equal, texts, utc_seconds
from .schema import escape_text, model_kinds

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

KEY = "patient_id"
INDEX_DIR = ".index"
MAGIC = b"HMS-DAYIDX-1\n\0\0\0"  # 16 bytes; a new layout gets a new magic
_LONGEST_RECORD = 1 << 16  # a longer record (a day file is not for notes) takes the ordinary read
ENTRY = np.dtype([("offset", "<u8"), ("length", "<u4"), ("key", "<u4"), ("crc", "<u4")])


# One lock for every index object: the day log's and a service's may share a folder.
_LOCK = threading.Lock()


def key_hash(key: str) -> int:
    return zlib.crc32(key.encode("utf-8"))


def index_path(day_file: Path) -> Path:
    return day_file.parent / INDEX_DIR / f"{day_file.stem}.idx"


def scan(data: bytes, base: int, key_at: int) -> np.ndarray:
    """Index entries for the complete CSV records in ``data``, which starts at file offset
    ``base`` on a record boundary. A torn last record (no line break yet) is left out."""
    if b'"' not in data and len(data) > 4096:
        return _scan_unquoted(data, base, key_at)
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


def _scan_unquoted(data: bytes, base: int, key_at: int) -> np.ndarray:
    """``scan`` in C for text without quotes (every line break ends a record): rebuilding a
    year of indexes line by line in Python took 15 s. Only the last entry gets its checksum
    (the only one ``DayIndex._fits`` reads); the others are 0."""
    view = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(view == 10) + 1
    entries = np.zeros(len(ends), dtype=ENTRY)
    if not len(ends):
        return entries
    starts = np.concatenate(([0], ends[:-1]))
    commas = np.flatnonzero(view == ord(","))
    first = np.searchsorted(commas, starts)  # the first comma of each line
    def comma(n: int) -> np.ndarray:  # the n-th comma of each line (or the line's end)
        at = first + n
        found = commas[np.minimum(at, len(commas) - 1)] if len(commas) else ends - 1
        return np.where((at < len(commas)) & (found < ends - 1), found, ends - 1)

    key_start = starts if key_at == 0 else np.minimum(comma(key_at - 1) + 1, ends - 1)
    key_end = comma(key_at)
    keys = [data[a:b] for a, b in zip(key_start.tolist(), key_end.tolist(), strict=True)]
    hashes = {key: key_hash(key.decode("utf-8", "replace")) for key in set(keys)}
    entries["offset"] = starts + base
    entries["length"] = ends - starts
    entries["key"] = [hashes[key] for key in keys]
    entries["crc"][-1] = zlib.crc32(data[int(starts[-1]):int(ends[-1])])
    return entries


class _Batch:
    """Day files read one after another into one buffer, and one key's records picked from
    a bufferful at once by the files' index entries (a numpy call per file cost more than
    the reading)."""

    SIZE = 8 << 20

    def __init__(self, key: int) -> None:
        self.key = key
        self.buffer = np.empty(self.SIZE + _LONGEST_RECORD, dtype=np.uint8)
        self.used = 0
        self.files: list[tuple[int, int, np.ndarray]] = []  # where in the buffer, size, entries
        self.picked: list[tuple[np.ndarray, np.ndarray]] | None = []

    def read(self, handle: Any) -> memoryview:
        """The file's bytes, read into the buffer (picking the records of those before it first
        when it does not fit)."""
        size = os.fstat(handle.fileno()).st_size
        if self.used + size + _LONGEST_RECORD > len(self.buffer):
            self._pick()
            if size + _LONGEST_RECORD > len(self.buffer):
                self.buffer = np.empty(size + _LONGEST_RECORD, dtype=np.uint8)
        got = _read_into(handle, self.buffer[self.used:self.used + size])
        return self.buffer.data[self.used:self.used + got]

    def add(self, size: int, entries: np.ndarray) -> None:
        """The file just read is ``size`` bytes long and indexed by ``entries``."""
        self.files.append((self.used, size, entries))
        self.used += size

    def records(self) -> list[tuple[np.ndarray, np.ndarray]] | None:
        """Per bufferful: the records, each a row from the byte before it, 0 after its end,
        and their lengths; None if an entry lies outside its file."""
        self._pick()
        return self.picked

    def _pick(self) -> None:
        files, self.files, used, self.used = self.files, [], self.used, 0
        if not files or self.picked is None:
            return
        # As bytes: concatenating structured arrays goes field by field, 10 times slower.
        entries = np.concatenate([np.ascontiguousarray(entries).view(np.uint8) for _, _, entries in files]).view(ENTRY)
        counts = [len(entries) for _, _, entries in files]
        mine = np.flatnonzero(entries["key"] == self.key)
        if not len(mine):
            return
        offsets = entries["offset"][mine].astype(np.intp)
        lengths = entries["length"][mine].astype(np.intp)
        file_of = np.searchsorted(np.cumsum(counts), mine, side="right")  # which file each record is in
        file_at = np.array([at for at, _, _ in files], dtype=np.intp)[file_of]
        file_size = np.array([size for _, size, _ in files], dtype=np.intp)[file_of]
        width = int(lengths.max()) + 1
        if width > _LONGEST_RECORD or ((offsets < 1) | (offsets + lengths > file_size)).any():
            self.picked = None
            return
        self.buffer[used:used + width] = 0
        windows = np.ndarray((used + 1, width), dtype=np.uint8, buffer=self.buffer, strides=(1, 1))
        records = windows[file_at + offsets - 1]  # a copy: the buffer is reused
        np.multiply(records, np.arange(width) <= lengths[:, None], out=records)  # 0 past each end
        self.picked.append((records, lengths))


def _read_into(handle: Any, target: np.ndarray) -> int:
    """Fill ``target`` from ``handle`` (a file may have shrunk since its size was taken)."""
    view = memoryview(target.data)
    got = 0
    while got < len(view):
        count = handle.readinto(view[got:])
        if not count:
            break
        got += count
    return got


def _key_of(record: bytes, key_at: int) -> str:
    if b'"' not in record:
        raw = record.removesuffix(b"\n").split(b",", key_at + 1)
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
        self._lock = _LOCK

    @classmethod
    def for_model(cls, model: type[BaseModel], *, read_only: bool) -> DayIndex | None:
        """The index of day files of ``model`` rows, laid out as ``DayLog`` writes them."""
        kinds = model_kinds(model)
        return cls.for_columns([*kinds, "crc"], [k.is_text for k in kinds.values()], read_only=read_only)

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
                if self._covered(day_file) != end - len(data):  # missing, or lines it has not seen
                    entries, covered = self._load(day_file)
                    self._rebuild_or_catch_up(day_file, entries, covered, day_file.read_bytes())
                    return
                self._write(day_file, scan(data, end - len(data), self.key_at), append=True)
        except Exception:  # noqa: BLE001 - whatever went wrong, the rows are saved; drop the index
            log.warning("could not index %s; it will be rebuilt from the CSV", day_file, exc_info=True)
            with contextlib.suppress(OSError):
                index_path(day_file).unlink()

    def _covered(self, day_file: Path) -> int:
        """Where the index ends in the day file, from its last entry alone: a day of 1 Hz
        vitals for 16 beds has 1.4 million entries, too many to read at every append."""
        try:
            with open(index_path(day_file), "rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                if handle.read(len(MAGIC)) != MAGIC:
                    return 0
                whole = (size - len(MAGIC)) // ENTRY.itemsize
                if not whole:
                    return len(self.header) + 3
                handle.seek(len(MAGIC) + (whole - 1) * ENTRY.itemsize)
                last = np.frombuffer(handle.read(ENTRY.itemsize), dtype=ENTRY)[0]
        except OSError:
            return 0
        return int(last["offset"]) + int(last["length"])

    def _write(self, day_file: Path, entries: np.ndarray, *, append: bool) -> None:
        target = index_path(day_file)
        if append and target.exists():
            with open(target, "r+b") as handle:
                size = os.fstat(handle.fileno()).st_size
                # Drop a torn last entry (the write of the index was interrupted).
                handle.truncate(size - (size - len(MAGIC)) % ENTRY.itemsize)
                handle.seek(0, os.SEEK_END)
                handle.write(entries.tobytes())
            return
        target.parent.mkdir(exist_ok=True)
        temporary = target.with_suffix(".tmp")
        temporary.write_bytes(MAGIC + entries.tobytes())
        os.replace(temporary, target)

    # ------------------------------------------------------------------ reading
    def _load(self, day_file: Path) -> tuple[np.ndarray, int]:
        """The stored entries and the file offset they cover up to (0: no usable index)."""
        folder, name = os.path.split(day_file)  # strings: a year of files is 365 of these calls
        try:
            with open(os.path.join(folder, INDEX_DIR, name.removesuffix(".csv") + ".idx"), "rb") as handle:
                raw = handle.read()
        except OSError:
            return np.empty(0, dtype=ENTRY), 0
        if not raw.startswith(MAGIC):
            return np.empty(0, dtype=ENTRY), 0
        entries = np.frombuffer(raw, dtype=ENTRY, offset=len(MAGIC),
                                count=(len(raw) - len(MAGIC)) // ENTRY.itemsize)
        if not len(entries):
            return entries, len(self.header) + 3  # the BOM and header only
        last = entries[-1]
        return entries, int(last["offset"]) + int(last["length"])

    def _rebuild_or_catch_up(self, day_file: Path, entries: np.ndarray, covered: int,
                             data: bytes | memoryview) -> np.ndarray | None:
        """Entries for the whole of ``data`` (the file's bytes; the index is extended or
        rebuilt); None when the file is not in the layout this index reads."""
        body_at = len(self.header) + 3
        if data[:body_at] != b"\xef\xbb\xbf" + self.header:
            return None
        if not self._fits(data, entries, covered):
            entries, covered = np.empty(0, dtype=ENTRY), body_at
        elif covered == len(data):  # up to date: the usual case when reading
            return entries
        fresh = scan(bytes(data[covered:]), covered, self.key_at)
        if len(fresh) or not len(entries):
            entries = np.concatenate([entries, fresh]) if len(entries) else fresh
            if not self.read_only:
                try:
                    self._write(day_file, fresh if covered > body_at else entries, append=covered > body_at)
                except OSError:  # the index is a convenience: answer from memory this time
                    log.warning("could not write the index of %s", day_file, exc_info=True)
        return entries

    @staticmethod
    def _fits(data: bytes | memoryview, entries: np.ndarray, covered: int) -> bool:
        if not len(entries) or covered > len(data):
            return False
        last = entries[-1]
        start = int(last["offset"])
        return zlib.crc32(data[start:start + int(last["length"])]) == int(last["crc"])

    def _gather(self, paths: Sequence[Path], key: str) -> tuple[Lines, list[Path]]:
        """``key``'s complete records in ``paths`` (no header), in file order; plus the files
        that must be read the ordinary way (not the app's layout). Every path is in the
        second list when a selected record does not lie within its file, starting and
        ending at a line break (an index out of step with its file): the caller then reads
        the ordinary way.

        Files are read whole, one call each, into one buffer of a few MB (reading a year
        of files costs less than mapping them: every page would be touched anyway, the
        patient's lines being every sixteenth); the records of a bufferful are picked by
        their indexes at once, each with the byte before it, to check the line breaks.
        """
        batch = _Batch(key_hash(key))
        others: list[Path] = []
        for path in paths:
            try:
                with open(path, "rb", buffering=0) as handle:
                    data = batch.read(handle)
            except FileNotFoundError:
                continue  # no file: no readings that day
            except OSError:
                others.append(path)
                continue
            with self._lock:
                stored, covered = self._load(path)
                entries = self._rebuild_or_catch_up(path, stored, covered, data) if len(data) else None
            if entries is None:
                others.append(path)
            else:
                batch.add(len(data), entries)
        parts = batch.records()
        if parts is None:
            return Lines.stack([]), list(paths)  # an entry outside its file
        lines = Lines.stack([(records[:, 1:], lengths) for records, lengths in parts])
        if parts and ((np.concatenate([records[:, 0] for records, _ in parts]) != 10).any()
                      or (lines.rows[np.arange(len(lines.lengths)), lines.lengths - 1] != 10).any()):
            return Lines.stack([]), list(paths)  # entries out of step with a file
        return lines, others

    def series(self, paths: Sequence[Path], key: str, *, numbers: Sequence[str],
               text: Sequence[str]) -> dict[str, Any] | None:
        """``key``'s rows of ``paths`` as arrays, in file order, without pandas: ``"t"`` (the
        ``at`` column as UTC epoch seconds), ``numbers`` as float64 (empty is NaN), ``text``
        columns as lists of str. None when any file or record needs the ordinary read (the
        caller then reads every file that way, which quarantines damaged lines)."""
        lines, others = self._gather(paths, key)
        bounds = None if others else cell_bounds(lines, len(self.columns))
        if bounds is None:
            return None
        starts, ends = bounds

        def column(name: str) -> tuple[np.ndarray, np.ndarray]:
            at = self.columns.index(name)
            return cells(lines, starts[:, at], ends[:, at])

        if not all_hex8(*column("crc")):  # a torn or hand-made line
            return None
        flags = dict(zip(self.columns, self.text_flags, strict=False))
        key_cells = column(KEY)
        mine = equal(*key_cells, escape_text(key) if flags[KEY] else key)
        if not mine.all():  # a hash collision brings another's lines (or one typed another way)
            keys = texts(*key_cells, escaped=flags[KEY])
            if keys is None:
                return None
            mine = np.array(keys, dtype=object) == key
        t = utc_seconds(*column("at"))
        if t is None:
            return None
        out: dict[str, Any] = {"t": t[mine]}
        for name in numbers:
            values = decimals(*column(name))
            if values is None:
                return None
            out[name] = values[mine]
        for name in text:
            words = texts(*column(name), escaped=flags[name])
            if words is None:
                return None
            out[name] = words if mine.all() else [v for v, m in zip(words, mine.tolist(), strict=True) if m]
        return out

    def frame(self, paths: Sequence[Path],
              where: Mapping[str, str] | None) -> tuple[pd.DataFrame | None, list[Path]]:
        """One patient's rows of ``paths`` (``where`` names the patient), parsed in one pandas
        call, as text columns the way ``DayLog.read_frame`` gives them (checksum dropped, text
        unescaped); plus the files that must be read the ordinary way. ``(None, paths)`` when
        the index cannot help or a line is damaged (the ordinary read quarantines it). The
        chart's year of numbers goes through ``series`` instead.
        """
        if not where or KEY not in where or not paths:
            return None, list(paths)
        import pandas as pd

        lines, others = self._gather(paths, where[KEY])
        body = self.header + lines.joined()
        if not _checksummed(body, len(self.header)):
            return None, list(paths)  # a damaged line: the ordinary read quarantines it
        wanted = [c for c in self.columns if c != "crc"]
        try:
            frame = pd.read_csv(io.BytesIO(body), usecols=wanted, dtype=str, keep_default_na=False)
        except (ValueError, pd.errors.ParserError):
            return None, list(paths)
        if b"'" in body and any(mark in body for mark in (b",'", b"\n'", b"\"'")):  # an escaped cell
            for column, flag in zip(self.columns, self.text_flags, strict=False):
                if flag and column in frame.columns:
                    frame[column] = frame[column].str.removeprefix("'")
        for column, value in where.items():
            frame = frame[frame[column] == value]
        return frame, others


_HEX = np.zeros(256, dtype=np.bool_)
_HEX[np.frombuffer(b"0123456789abcdef", dtype=np.uint8)] = True


def _checksummed(body: bytes, start: int) -> bool:
    """Every line of ``body`` from ``start`` ends with ``,`` and 8 hex digits (the checksum
    column), checked in C. A torn line fails (so does a quoted line break, which then takes
    the ordinary read: slower, still right). So does a carriage return anywhere: pandas
    ends a line there, and would read a hand-typed one as a short line and a line of blanks."""
    if b"\r" in body:
        return False
    data = np.frombuffer(body, dtype=np.uint8)
    ends = np.flatnonzero(data[start:] == 10) + start
    if not len(ends):
        return True
    if ends[0] - start < 9 or (np.diff(ends) < 10).any() or (data[ends - 9] != ord(",")).any():
        return False
    return bool(_HEX[data[ends[:, None] - np.arange(1, 9)]].all())


def index_notes(folder: Path, model: type[BaseModel]) -> list[str]:
    """Day files whose index is missing or out of date (``check`` reports, never writes)."""
    index = DayIndex.for_model(model, read_only=True)
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
