"""``export-csv --from postgresql://… --to DIR``: the server's clinic as a CSV data folder.

The open-data promise holds on the server too: the folder is what the CSV engine writes
(docs/storage.md) — ``<table>.csv`` with the current rows, every version of every record in
``history/<table>.<seq>.journal.csv`` (with who and when), day files per UTC date,
``quarantine/`` notes and ``manifest.json`` — so ``check`` passes and the app opens it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from psycopg import sql

from hms_desktop.storage.csvfile import format_header, format_line, write_atomically
from hms_desktop.storage.postgres.ddl import series_table
from hms_desktop.storage.postgres.store import PgStore
from hms_desktop.storage.quarantine import Quarantine
from hms_desktop.storage.registry import all_day_logs, all_tables
from hms_desktop.storage.schema import model_kinds

from .to_server import MigrationError, server_versions
from .versions import JOURNAL_PREFIX, journal_crc, on_disk, text_columns

Say = Callable[[str], None]


def export_folder(url: str, folder: Path, *, say: Say = print) -> dict[str, int]:
    folder = Path(folder).resolve()
    if folder.exists() and any(folder.iterdir()):
        raise MigrationError(f"{folder}: not empty; export into a new folder")
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    source = PgStore(url, listen=False, read_only=True, data_dir=folder)
    with closing(source), source.connection() as conn, conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")  # one snapshot
        on_server = dict(conn.execute("SELECT name, schema_version FROM hms_tables").fetchall())
        specs = [s for s in all_tables() if s.name in on_server]
        for spec in specs:
            if on_server[spec.name] != spec.schema_version:
                raise MigrationError(f"table {spec.name} has schema version {on_server[spec.name]} on "
                                     f"the server, {spec.schema_version} in this program")
            versions = server_versions(conn, spec)
            flags = text_columns(spec)
            no_escaping = (False,) * (len(spec.columns) + 2)
            latest: dict[str, tuple[str, ...]] = {}
            journal = [format_header((*JOURNAL_PREFIX, *spec.columns))]
            for v in versions:
                disk = on_disk(v.cells, flags)
                journal.append(format_line((v.op, journal_crc(disk), *disk), no_escaping))
                latest[v.cells[0]] = tuple(disk)
            if versions:
                history = folder / "history"
                history.mkdir(exist_ok=True)
                last_seq = max(int(v.cells[-1]) for v in versions)
                write_atomically(history / f"{spec.name}.{last_seq:012d}.journal.csv", journal)
            rows = sorted(latest.values(), key=lambda cells: int(cells[-1]))
            write_atomically(folder / f"{spec.name}.csv", [format_header(spec.columns), *(
                format_line(cells, no_escaping[2:]) for cells in rows)])
            counts[spec.name] = len(rows)
            say(f"{spec.name}: {len(rows)} record(s), {len(versions)} version(s)")
        kinds_on_server = {row[0] for row in conn.execute("SELECT kind FROM hms_day_logs")}
        for kind, model in all_day_logs().items():
            if kind in kinds_on_server:
                counts[f"{kind} (day files)"] = _export_series(conn, folder, kind, model)
        quarantine = Quarantine(folder / "quarantine", read_only=lambda: False)
        with closing(quarantine):
            for note in source.quarantine:
                quarantine.add(note)
        manifest = {"format": 1, "app": "HMS Desktop", "tables": {s.name: s.schema_version for s in specs}}
        write_atomically(folder / "manifest.json", [json.dumps(manifest, indent=2, sort_keys=True) + "\n"])
    return counts


def _export_series(conn: object, folder: Path, kind: str, model: type) -> int:
    kinds = model_kinds(model)
    columns = tuple(kinds)
    flags = (*(k.is_text for k in kinds.values()), False)
    # In the order they were appended (row_no), so each day file reads back as its source did.
    query = sql.SQL("SELECT at_utc, {} FROM {} ORDER BY row_no").format(
        sql.SQL(", ").join(sql.Identifier(c) for c in columns), series_table(kind))
    by_day: dict[str, list[str]] = defaultdict(list)
    total = 0
    for row in conn.execute(query):  # type: ignore[attr-defined]
        cells = list(row[1:])
        by_day[row[0].date().isoformat()].append(format_line([*cells, journal_crc(cells)], flags))
        total += 1
    for day, lines in by_day.items():
        (folder / kind).mkdir(exist_ok=True)
        write_atomically(folder / kind / f"{day}.csv", [format_header((*columns, "crc")), *lines])
    return total
