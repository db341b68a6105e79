"""The PostgreSQL backend: the same storage interfaces (``storage/backend.py``) on a server
shared by several workstations. See docs/postgresql.md.

Importing this package does not import psycopg (an optional extra, ``hms-desktop[postgresql]``);
``open_pg_store`` does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .store import PgStore


def open_pg_store(conninfo: str, **kwargs: Any) -> PgStore:
    """Connect, migrate the engine's schema if needed, and return the open store."""
    from .store import PgStore

    return PgStore(conninfo, **kwargs)


def is_database_url(text: str) -> bool:
    return text.startswith(("postgresql://", "postgres://", "service="))


__all__ = ["is_database_url", "open_pg_store"]
