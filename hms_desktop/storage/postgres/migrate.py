"""Versioned schema migrations: plain SQL files ``migrations/NNN_name.sql``, applied in order.

The applied versions are rows of ``schema_version``. Two workstations starting at once
serialise on an advisory lock, so each file runs exactly once. A database migrated by a
newer HMS Desktop (a version this program has no file for) is refused, naming both.
Per-table DDL is generated from each ``TableSpec`` (``ddl.py``), because feature branches add
tables without touching a shared file (storage/registry.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")
# Any fixed 64-bit number, the same in every workstation: "migrating the schema".
MIGRATION_LOCK = 0x484D53_5343484D  # "HMS" "SCHM"


class NewerDatabaseError(RuntimeError):
    """The server's schema was migrated by a newer program; this one must not write to it."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def known_migrations(folder: Path = MIGRATIONS_DIR) -> list[Migration]:
    found = []
    for path in sorted(folder.glob("*.sql")):
        match = _NAME.match(path.name)
        if match is None:
            raise RuntimeError(f"{path}: migration files are named NNN_name.sql")
        found.append(Migration(int(match[1]), match[2], path.read_text(encoding="utf-8")))
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"{folder}: migrations must be numbered 001, 002, ... without gaps: {versions}")
    return found


def migrate(conn: Any, folder: Path = MIGRATIONS_DIR) -> list[int]:
    """Apply every migration the database lacks; returns the versions applied now."""
    migrations = known_migrations(folder)
    applied_now: list[int] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            " version integer PRIMARY KEY, name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {row[0] for row in conn.execute("SELECT version FROM schema_version")}
        newest = max(done, default=0)
        if newest > len(migrations):
            raise NewerDatabaseError(
                f"the database schema is version {newest}, newer than this HMS Desktop knows "
                f"({len(migrations)}); update HMS Desktop on this workstation."
            )
        for migration in migrations:
            if migration.version in done:
                continue
            conn.execute(migration.sql)
            conn.execute("INSERT INTO schema_version (version, name) VALUES (%s, %s)",
                         (migration.version, migration.name))
            applied_now.append(migration.version)
    return applied_now
