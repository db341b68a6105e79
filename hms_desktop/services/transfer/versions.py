"""Every saved version of a table, read in bulk from either backend, and its checksum.

A version is its logical cells: the model's fields as the user typed them, then
``version``, ``updated_at`` (ISO-8601 UTC), ``updated_by``, ``seq``. Both backends are read
into this one shape so a migration can be verified row by row, history included.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hms_desktop.storage import TableSpec, escape_text, unescape_text
from hms_desktop.storage.csvfile import read_records

JOURNAL_PREFIX = ["op", "crc"]


@dataclass(frozen=True, slots=True)
class StoredVersion:
    op: str
    cells: tuple[str, ...]

    @property
    def key(self) -> tuple[str, int]:
        return self.cells[0], int(self.cells[-4])


def text_columns(spec: TableSpec) -> tuple[bool, ...]:
    """Which columns the CSV engine formula-escapes (text, and ``updated_by``; never ``id``)."""
    kinds = spec.kinds()
    return tuple((c == "updated_by" or (c in kinds and kinds[c].is_text)) and c != "id" for c in spec.columns)


def journal_crc(disk_cells: Sequence[str]) -> str:
    """The checksum the CSV engine writes on each journal line (over the on-disk cells)."""
    return f"{zlib.crc32(chr(31).join(disk_cells).encode('utf-8')):08x}"


def on_disk(cells: Sequence[str], flags: Sequence[bool]) -> list[str]:
    return [escape_text(c) if flag else c for c, flag in zip(cells, flags, strict=True)]


def normal_time(text: str) -> str:
    return datetime.fromisoformat(text).astimezone(UTC).isoformat() if text else ""


def folder_versions(folder: Path, spec: TableSpec, table: Any) -> list[StoredVersion]:
    """Every version the folder holds of ``spec``'s records, oldest first per record.

    From the rotated and live journals (lines whose checksum fails are in quarantine and are
    not copied), plus the current row of a record whose version is in no journal (added by
    hand, or history deleted): op ``checkpoint``, as ``Table.history`` shows it.
    """
    columns = spec.columns
    flags = text_columns(spec)
    history = folder / "history"
    files = sorted(history.glob(f"{spec.name}.*.journal.csv")) if history.exists() else []
    live = folder / f"{spec.name}.journal.csv"
    if live.exists():
        files.append(live)
    current = {record_id: table.meta(record_id).version for record_id in table.ids()}
    found: dict[tuple[str, int], StoredVersion] = {}
    for path in files:
        header, records = read_records(path)
        if header[:2] != JOURNAL_PREFIX:
            continue
        positions = {name: i for i, name in enumerate(header) if i >= 2}
        for record in records:
            if len(record.cells) != len(header):
                continue
            disk = [record.cells[positions[c]] if c in positions else "" for c in columns]
            if journal_crc(disk) != record.cells[1]:
                continue
            cells = tuple(unescape_text(c) if flag else c for c, flag in zip(disk, flags, strict=True))
            version = int(cells[-4] or 1)
            if current.get(cells[0], 0) < version:
                continue  # quarantined at load: not part of the clinic's data
            found[(cells[0], version)] = StoredVersion(record.cells[0], _normal(cells))
    frame = table.frame()
    for record_id, row in zip(frame.index, frame.itertuples(index=False), strict=True):
        cells = _normal(tuple(str(c) for c in row))
        if (record_id, int(cells[-4] or 1)) not in found:
            found[(record_id, int(cells[-4] or 1))] = StoredVersion("checkpoint", cells)
    return [found[key] for key in sorted(found, key=lambda k: (k[0], k[1]))]


def _normal(cells: tuple[str, ...]) -> tuple[str, ...]:
    return (*cells[:-4], cells[-4] or "1", normal_time(cells[-3]), *cells[-2:])


def checksum(versions: Iterable[StoredVersion]) -> str:
    digest = hashlib.sha256()
    for v in sorted(versions, key=lambda v: v.key):
        digest.update("\x1f".join((v.op, *v.cells[:-1])).encode("utf-8") + b"\x1e")
    return digest.hexdigest()


def lines_checksum(rows: Iterable[Sequence[str]]) -> str:
    digest = hashlib.sha256()
    for line in sorted("\x1f".join(r) for r in rows):
        digest.update(line.encode("utf-8") + b"\x1e")
    return digest.hexdigest()
