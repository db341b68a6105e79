"""``migrate --from DIR --to postgresql://…``: a CSV clinic onto a server, history included.

Each table and each day file is copied in its own transaction together with a row of
``migration_progress`` (source folder, part, row count, SHA-256), after the copy was read
back and compared; so an interrupted migration, run again, skips what is done and redoes the
rest, and nothing is ever half-copied. The folder is opened read-only and never changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from psycopg import sql

from hms_desktop.storage import Store
from hms_desktop.storage.postgres.ddl import ENGINE, id_sequence, versions_table
from hms_desktop.storage.postgres.store import PgStore
from hms_desktop.storage.registry import all_day_logs, all_tables
from hms_desktop.storage.schema import model_kinds, model_to_cells

from .versions import StoredVersion, checksum, folder_versions, lines_checksum

Say = Callable[[str], None]


class MigrationError(RuntimeError):
    """The copy did not match the source (or the target already holds other data)."""


@dataclass
class MigrationReport:
    copied: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)  # done by an earlier run


def migrate_folder(folder: Path, url: str, *, say: Say = print) -> MigrationReport:
    folder = Path(folder).resolve()
    if not folder.is_dir():
        raise MigrationError(f"{folder}: not a folder")
    report = MigrationReport()
    source = Store(folder, read_only=True)
    target = PgStore(url, listen=False, data_dir=folder)
    with closing(source), closing(target):
        for spec in all_tables():
            table = source.table(spec)
            target.table(spec)  # creates the server table
            versions = folder_versions(folder, spec, table)
            part = f"table {spec.name}"
            _copy_part(target, str(folder), part, report, say, len(versions), checksum(versions),
                       partial(_copy_versions, spec=spec, versions=versions, source=source))
        for kind, model in all_day_logs().items():
            log = source.day_log(kind, model)
            target.day_log(kind, model)
            kinds = model_kinds(model)
            for day in log.days():
                start = datetime.combine(day, time.min, UTC)
                rows = [model_to_cells(r, kinds) for r in log.read(start, start + timedelta(days=1))]
                _copy_part(target, str(folder), f"{kind}/{day.isoformat()}.csv", report, say, len(rows),
                           lines_checksum(rows),
                           partial(_copy_day, kind=kind, columns=tuple(kinds), rows=rows, start=start))
        _copy_quarantine(target, source)
    return report


def _copy_part(target: PgStore, source: str, part: str, report: MigrationReport, say: Say, count: int,
               digest: str, copy: Callable[[Any], tuple[int, str]]) -> None:
    with target.connection() as conn, conn.transaction():
        done = conn.execute("SELECT rows, sha256 FROM migration_progress WHERE source = %s AND part = %s",
                            (source, part)).fetchone()
        if done is not None:
            if (done[0], done[1]) != (count, digest):
                raise MigrationError(f"{part} changed since it was copied ({done[0]} rows then, {count} now); "
                                     "migrate into an empty database")
            report.skipped[part] = count
            return
        copied, copied_digest = copy(conn)
        if (copied, copied_digest) != (count, digest):
            raise MigrationError(f"{part}: {count} rows read, {copied} on the server; checksums "
                                 f"{digest[:12]} / {copied_digest[:12]} — nothing of it was kept")
        conn.execute("INSERT INTO migration_progress (source, part, rows, sha256) VALUES (%s, %s, %s, %s)",
                     (source, part, count, digest))
    report.copied[part] = count
    say(f"{part}: {count} row(s) copied and verified")


def _copy_versions(conn: Any, spec: Any, versions: list[StoredVersion], source: Store) -> tuple[int, str]:
    name = versions_table(spec.name)
    if conn.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(name)).fetchone()[0]:
        raise MigrationError(f"table {spec.name} on the server already holds records; migrate into an "
                             "empty database")
    txn = uuid.uuid4()
    seen: set[int] = set()
    next_seq = max((int(v.cells[-1]) for v in versions if v.cells[-1].isdigit()), default=0) + 1
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in (*spec.fields, *ENGINE, "op", "txn"))
    with conn.cursor().copy(sql.SQL("COPY {} ({}) FROM STDIN").format(name, columns)) as copy:
        for v in versions:
            seq = int(v.cells[-1]) if v.cells[-1].isdigit() else 0
            if not seq or seq in seen:  # a row added by hand has no seq
                seq, next_seq = next_seq, next_seq + 1
            seen.add(seq)
            copy.write_row((*v.cells[:-3], v.cells[-3] or None, v.cells[-2], seq, v.op, txn))
    prefix = spec.id_prefix or ""
    ids = [v.cells[0] for v in versions] + [q.record_id for q in source.quarantine if q.table == spec.name]
    highest = max((int(i[len(prefix):]) for i in ids if prefix and i.startswith(prefix)
                   and i[len(prefix):].isdigit()), default=0)
    if highest:  # quarantined IDs too: an ID is never given twice, even to a row set aside
        conn.execute("SELECT setval(%s, %s)", (id_sequence(spec.name), highest))
    back = server_versions(conn, spec)
    return len(back), checksum(back)


def server_versions(conn: Any, spec: Any) -> list[StoredVersion]:
    from hms_desktop.storage.postgres.table import _cells

    columns = sql.SQL(", ").join(sql.Identifier(c) for c in spec.columns)
    query = sql.SQL("SELECT op, {} FROM {} ORDER BY seq").format(columns, versions_table(spec.name))
    return [StoredVersion(str(row[0]), _cells(row[1:])) for row in conn.execute(query)]


def _copy_day(conn: Any, kind: str, columns: tuple[str, ...], rows: list[list[str]],
              start: datetime) -> tuple[int, str]:
    from hms_desktop.storage.postgres.ddl import month_partition, series_table

    conn.execute(month_partition(kind, start.date()))
    names = sql.SQL(", ").join(sql.Identifier(c) for c in ("at_utc", *columns))
    at = columns.index("at")
    with conn.cursor().copy(sql.SQL("COPY {} ({}) FROM STDIN").format(series_table(kind), names)) as copy:
        for cells in rows:
            copy.write_row((datetime.fromisoformat(cells[at]).astimezone(UTC), *cells))
    back = conn.execute(sql.SQL("SELECT {} FROM {} WHERE at_utc >= %s AND at_utc < %s").format(
        sql.SQL(", ").join(sql.Identifier(c) for c in columns), series_table(kind)),
        (start, start + timedelta(days=1))).fetchall()
    return len(back), lines_checksum(back)


def _copy_quarantine(target: PgStore, source: Store) -> None:
    with target.connection() as conn, conn.transaction():
        for q in source.quarantine:
            conn.execute("INSERT INTO quarantine_notes (file, line, reason, raw, record_id, table_name) "
                         "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                         (q.file, q.line, q.reason, q.raw, q.record_id, q.table))
