"""A real PostgreSQL server for tests: HMS_TEST_PG names it; each test gets its own schema.

Outside CI a missing HMS_TEST_PG skips the server tests (saying how to run them); in CI
(``CI=true``) it fails them, so a CI that forgot to start the server cannot pass silently.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest

ENV = "HMS_TEST_PG"


def server_url() -> str:
    url = os.environ.get(ENV, "")
    if url:
        return url
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {ENV} is unset: .ci/run must start PostgreSQL and export {ENV}")
    pytest.skip(f"needs a PostgreSQL server: set {ENV}=postgresql://user:password@localhost/db "
                "(docs/postgresql.md says how; .ci/run does it)")


def in_schema(url: str, schema: str) -> str:
    """The same server and database, with every name resolved in ``schema``."""
    return f"{url}{'&' if '?' in url else '?'}options={quote(f'-csearch_path={schema}')}"


@contextmanager
def fresh_schema(url: str | None = None) -> Iterator[str]:
    """A connection string whose tables live in a new, empty schema (dropped afterwards), on
    ``url`` (a benchmark's server) or the test server."""
    import psycopg

    url = url or server_url()
    schema = f"hms_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield in_schema(url, schema)
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def password_in_file(url: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """``url`` without its password, which goes into a libpq password file (as a clinic does)."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    passfile = folder / "pgpass"
    passfile.write_text(f"{parts.hostname}:{parts.port or 5432}:*:{parts.username}:{parts.password}\n")
    passfile.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    netloc = f"{parts.username}@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))
