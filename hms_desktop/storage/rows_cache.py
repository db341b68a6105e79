"""A disposable copy of a checkpoint's checked rows, so a clean table opens without parsing.

Parsing and type-checking ``patients.csv`` at 100,000 patients costs most of a cold open
(the C csv module alone ~0.5 s). The rows the engine loads from a clean checkpoint — every
column type-checked, no row rejected, no header finding — are the same at every start
until the checkpoint changes, so they are kept beside it in ``.cache/<table>.rows``:

- **Keyed by the checkpoint as it is on disk:** its size, ``st_mtime_ns`` and CRC-32 (of
  every byte, computed at each open anyway to compare with the manifest), plus a
  fingerprint of the table's columns, their kinds and the check rules (``RULES``). A
  spreadsheet re-save, a truncation, a restore from backup or a model change makes it
  stale: it is then ignored, and the checkpoint is parsed and checked as always.
- **Never a source of truth:** it is written only from rows that passed the checks (at a
  clean load, or by a checkpoint from rows in memory that pass the same checks), carries
  a CRC-32 of its own bytes, and anything unexpected in it (damage, truncation, a cell
  count that does not fit) makes it ignored. It is not fsynced, not in the manifest and
  not in backups; deleting it only costs one slower start.
- A read-only instance never writes it, nor does a disk nearly full (``KEEP_FREE``): the
  journal's next append matters more than a faster start. It holds patient data, so it is created 0600 in a
  0700 folder like every other file.

Cells are joined with U+001F (unit separator) and rows with U+001E (record separator), as
``packed_rows`` keeps them in memory; a table with a cell holding either character is not
cached (tests/storage/test_rows_cache.py compares cached and parsed rows for any text).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .csvfile import make_dir, write_temporary
from .packed_rows import SEPARATOR, Packed
from .schema import ColumnKind

CACHE_DIR = ".cache"
MAGIC = "HMS-ROWS-3"  # 2: rows as the joined text PackedRows keeps; 3: with their summary
#: Bump when a load-time check changes: every cache written under the old rules is stale.
RULES = "checks-1"
ROW_SEPARATOR = "\x1e"  # between rows (cells are joined by SEPARATOR, U+001F)
KEEP_FREE = 64 * 1024 * 1024  # never written when it would leave less free space than this


@dataclass(frozen=True, slots=True)
class CheckpointKey:
    """The checkpoint a cache belongs to, exactly as it is on disk."""

    size: int
    mtime_ns: int
    crc32: str


def fingerprint(columns: Sequence[str], kinds: Mapping[str, ColumnKind]) -> str:
    """Columns, their kinds (choices included) and the check rules: any change makes it stale."""
    # Choices sorted: a frozenset's order changes from one process to the next (hash seed).
    described = [RULES, *((c, kinds[c].name, kinds[c].optional, kinds[c].required, sorted(kinds[c].choices))
                          for c in columns)]
    return hashlib.sha256(json.dumps(described).encode()).hexdigest()


def cache_path(folder: Path, table: str) -> Path:
    return folder / CACHE_DIR / f"{table}.rows"


def write(path: Path, key: CheckpointKey, fingerprint_: str, rows: Sequence[Packed], width: int,
          summary: Mapping[str, int]) -> bool:
    """Write the cache (temp file and rename: a reader sees the old one or the new one).

    ``rows`` are as ``PackedRows`` keeps them; ``summary`` holds figures worked out from
    exactly these rows (the loader's highest change number and ID number), which a reader
    then need not work out again. Returns False, writing nothing, when the rows
    cannot be cached exactly (a cell holding a separator, a row of the wrong width) or the
    disk refuses: never an error.
    """
    if any(type(row) is not str or row.count(SEPARATOR) != width - 1 for row in rows):
        return False
    joined = ROW_SEPARATOR.join(rows)  # type: ignore[arg-type]
    if joined.count(ROW_SEPARATOR) != max(len(rows) - 1, 0):
        return False
    try:
        payload = joined.encode("utf-8")
    except UnicodeEncodeError:  # bytes that were not UTF-8: such rows never load anyway
        return False
    header = {"magic": MAGIC, "fingerprint": fingerprint_, "size": key.size, "mtime_ns": key.mtime_ns,
              "crc32": key.crc32, "rows": len(rows), "width": width, "payload_crc32": zlib.crc32(payload),
              "summary": dict(summary)}
    try:
        make_dir(path.parent)
        if shutil.disk_usage(path.parent).free < 2 * len(payload) + KEEP_FREE:
            return False  # room for saves matters more than a faster start
        tmp = write_temporary(path, json.dumps(header).encode("ascii") + b"\n" + payload, durable=False)
        os.replace(tmp, path)
    except OSError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class CachedRows:
    texts: list[str]  # each row as its joined text (``PackedRows`` form)
    summary: dict[str, int]  # as given to ``write``


def read(path: Path, key: CheckpointKey, fingerprint_: str, width: int) -> CachedRows | None:
    """The cached rows of exactly this checkpoint, or None (missing, stale or damaged)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    end = data.find(b"\n")
    try:
        header = json.loads(data[:end]) if end > 0 else None
    except ValueError:
        return None
    expected = {"magic": MAGIC, "fingerprint": fingerprint_, "size": key.size, "mtime_ns": key.mtime_ns,
                "crc32": key.crc32, "width": width}
    if not isinstance(header, dict) or any(header.get(k) != v for k, v in expected.items()):
        return None
    rows, summary = header.get("rows"), header.get("summary")
    if not isinstance(summary, dict) or not all(type(v) is int for v in summary.values()):
        return None
    payload = memoryview(data)[end + 1:]
    if not isinstance(rows, int) or rows < 0 or zlib.crc32(payload) != header.get("payload_crc32"):
        return None
    if rows == 0:
        return CachedRows([], summary) if not payload else None
    try:
        text = str(payload, "utf-8")
    except UnicodeDecodeError:
        return None
    # ``write`` keeps only rows of exactly width - 1 separators and the CRC-32 vouches for
    # the bytes, so one count over the whole text (not one per row: ~0.3 s at 850,000 rows)
    # is what is left to check: that the header's row count and width describe this text.
    if text.count(SEPARATOR) != rows * (width - 1):
        return None
    texts = text.split(ROW_SEPARATOR)
    return CachedRows(texts, summary) if len(texts) == rows else None


def forget(path: Path) -> None:
    """Remove a stale cache (it may hold rows a person has since changed or deleted)."""
    with contextlib.suppress(OSError):
        path.unlink()
