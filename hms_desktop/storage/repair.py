"""Repair: a person confirms that the data folder, as it is now, is what the clinic keeps.

The folder opens read-only when a file is not what the manifest recorded, and a table is
not rewritten while it holds rows or a header it could not load. A person then restores
the files from a backup, or confirms Repair, which:

1. copies every file it will replace into ``repair/<UTC time>/`` (nothing is deleted);
2. converts a table file saved as Windows-1252 (a spreadsheet's "CSV (Comma delimited)")
   to UTF-8;
3. reloads every table and accepts its files as they are now; rows that cannot be loaded
   stay where they are (``check`` keeps naming them) unless the person also chose to
   discard them: then those tables are rewritten from what loaded — the bad rows leave
   ``<table>.csv`` (their copy stays in ``repair/`` and ``quarantine/``), formula cells are
   written escaped, and the header is the engine's;
4. records the files as they now are in the manifest, with every ID that was ever issued
   (journals, history, quarantine) still counted, so an ID is never issued twice;
5. records who confirmed, when, and what was settled, in the manifest and in the copy folder.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .audit_verify import verify_folder
from .csvfile import BOM, decode, make_dir, replace_file
from .manifest import MANIFEST
from .schema import TableSpec
from .store import Store
from .table import ReadOnlyError

SETTINGS = "settings.json"  # converted like a table when it is Windows-1252


@dataclass(frozen=True)
class RepairResult:
    copy_dir: Path
    settled: list[str]
    by: str
    at: str


def plan(store: Store, specs: Sequence[TableSpec], *, discard_unloadable: bool = False) -> list[str]:
    """What Repair would settle, in words a person can check before confirming."""
    for spec in specs:
        store.table(spec)
    steps = [f"accept {p}" for p in store.integrity_problems]
    steps += [f"convert {name} from Windows-1252 to UTF-8 (the original is kept)"
              for name in _windows_1252_files(store.data_dir, specs)]
    verb = "discard (a copy is kept)" if discard_unloadable else "keep in the file"
    steps += [f"{verb}: {reason}" for reason in store.blocked_rewrites() if not reason.endswith("header was changed")]
    steps += [f"{'rewrite' if discard_unloadable else 'keep'}: {finding}" for finding in store.findings()]
    steps += [f"mark as checked: {collision}" for collision in store.collisions()]
    if store.audit_chain is not None:
        steps += [f"accept as it is now (the audit chain records it): {problem}"
                  for problem in verify_folder(store.data_dir).problems]
    return list(dict.fromkeys(steps))


def repair(store: Store, specs: Sequence[TableSpec], *, by: str, discard_unloadable: bool = False) -> RepairResult:
    """Settle every finding of ``plan``; the store is writable afterwards."""
    if store.access.lock_reason:
        raise ReadOnlyError(f"Repair needs the folder to itself: {store.access.lock_reason}")
    if not by.strip():
        raise ValueError("Repair needs the name of the person who confirms it")
    settled = plan(store, specs, discard_unloadable=discard_unloadable)
    at = datetime.now(UTC)
    copy_dir = store.data_dir / "repair" / at.strftime("%Y%m%dT%H%M%S%fZ")
    make_dir(copy_dir)
    for name in (MANIFEST, SETTINGS):
        _copy(store.data_dir / name, copy_dir)
    manifest = store.manifest
    floors = {spec.name: max(_highest_issued(store.data_dir, spec), _reserved(store, spec.name)) for spec in specs}
    changed = {p.table for p in store.integrity_problems}
    rewrite = {t.spec.name for t in store.tables() if t.rewrite_blocked or t.findings or t.write_refused} \
        if discard_unloadable else set()
    for name in _windows_1252_files(store.data_dir, specs):
        _copy(store.data_dir / name, copy_dir)
        text = (store.data_dir / name).read_bytes().decode("cp1252").removeprefix("ï»¿")  # a BOM, read as 1252
        replace_file(store.data_dir / name, (BOM + text).encode("utf-8"))
        changed.add(name.removesuffix(".csv"))
    changed |= rewrite
    store.access.problems.clear()
    for spec in specs:
        if spec.name in changed or not manifest.usable:
            version = manifest.schema_version(spec.name) if manifest.usable else None
            manifest.reset(spec.name, highest_id=floors[spec.name], schema_version=version or spec.schema_version)
    for spec in specs:
        if spec.name in changed:
            for path in (store.data_dir / f"{spec.name}.csv", store.data_dir / f"{spec.name}.journal.csv"):
                _copy(path, copy_dir)
        table = store.reload(spec)
        table.raise_id_floor(floors[spec.name])
        if spec.name in rewrite:
            table.checkpoint(force=True)
        table.record_state()
    if store.audit_chain is not None:  # the chain holds the files as they are now, saying who said so
        broken = verify_folder(store.data_dir).broken_files
        store.audit_chain.accept([store.data_dir / name for name in broken],
                                 f"Repair confirmed by {by.strip()} at {at.isoformat(timespec='seconds')}")
    record = {"at": at.isoformat(timespec="seconds"), "by": by.strip(), "settled": settled,
              "copy": copy_dir.relative_to(store.data_dir).as_posix()}
    collisions = [{**c, "resolved_by": by.strip(), "resolved_at": record["at"]} if not c.get("resolved_by") else c
                  for c in manifest.list_of("collisions")]
    manifest.save(extra={"repairs": [*manifest.list_of("repairs"), record], "collisions": collisions})
    replace_file(copy_dir / "repair.txt", (
        f"Repair confirmed by {by.strip()} at {record['at']}\n\n" + "".join(f"- {s}\n" for s in settled)
        + "\nThe files this folder held before are kept here.\n").encode("utf-8"))
    return RepairResult(copy_dir, settled, by.strip(), str(record["at"]))


def _copy(path: Path, copy_dir: Path) -> None:
    if path.is_file() and not (copy_dir / path.name).exists():
        replace_file(copy_dir / path.name, path.read_bytes())  # 0600 and durable, like every file here


def _windows_1252_files(data_dir: Path, specs: Sequence[TableSpec]) -> list[str]:
    """Table files (and settings.json) that are not UTF-8 but read whole as Windows-1252."""
    found = []
    for name in [*(f"{spec.name}.csv" for spec in specs), SETTINGS]:
        path = data_dir / name
        if not path.is_file():
            continue
        data = path.read_bytes()
        if decode(data)[1]:
            try:
                data.decode("cp1252")
            except UnicodeDecodeError:
                continue  # not Windows-1252 either: the rows stay in quarantine
            found.append(name)
    return found


def _highest_issued(data_dir: Path, spec: TableSpec) -> int:
    """The highest ID number anywhere in the table's files (overcounting only leaves a gap)."""
    if not spec.id_prefix:
        return 0
    pattern = re.compile(re.escape(spec.id_prefix).encode() + rb"(\d+)")
    paths = [data_dir / f"{spec.name}.csv", data_dir / f"{spec.name}.journal.csv",
             data_dir / "quarantine" / f"{spec.name}.csv", *sorted(data_dir.glob(f"history/{spec.name}.*.journal.csv"))]
    highest = 0
    for path in paths:
        if path.is_file():
            highest = max([highest, *(int(n) for n in pattern.findall(path.read_bytes()))])
    return highest


def _reserved(store: Store, table: str) -> int:
    state = store.manifest.state(table)
    return state.highest_id if state is not None else 0
