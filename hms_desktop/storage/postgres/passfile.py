"""The libpq password file: where File ▸ Connect to server… keeps a password, never in settings.

libpq (and so psycopg) reads ``PGPASSFILE``, else ``~/.pgpass`` (``%APPDATA%\\postgresql\\
pgpass.conf`` on Windows), whenever an address names no password; every PostgreSQL tool
(psql, pg_dump) reads the same file. One line per server,
``host:port:database:user:password``, with ``:`` and ``\\`` escaped; libpq ignores the file
on POSIX unless only its owner can read it, so it is written with mode 0600. The password
is in the user's profile, readable by that user only, and never in the data folder, the
application settings or the address the app remembers.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

DEFAULT_PORT = 5432


def password_file() -> Path:
    chosen = os.environ.get("PGPASSFILE")
    if chosen:
        return Path(chosen)
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", str(Path.home()))) / "postgresql" / "pgpass.conf"
    return Path.home() / ".pgpass"


def _escape(field: str) -> str:
    return field.replace("\\", "\\\\").replace(":", "\\:")


def _key(url: str) -> tuple[str, str, str, str]:
    """(host, port, database, user) of ``url`` as the password file spells them."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    host = parts.hostname or query.get("host", ["localhost"])[0]
    port = str(parts.port or query.get("port", [DEFAULT_PORT])[0])
    database = parts.path.lstrip("/") or query.get("dbname", [""])[0]
    user = parts.username or query.get("user", [""])[0] or os.environ.get("PGUSER", "")
    if not (database and user):
        raise ValueError(f"{url}: name the user and the database (postgresql://USER@HOST/DATABASE) "
                         "so the password can be kept for them")
    return host, port, database, user


def save_password(url: str, password: str, path: Path | None = None) -> Path:
    """Keep ``password`` for ``url``'s server, database and user (replacing an older line)."""
    target = path or password_file()
    key = ":".join(_escape(f) for f in _key(url)) + ":"
    kept: list[str] = []
    if target.exists():
        kept = [line for line in target.read_text(encoding="utf-8").splitlines() if not line.startswith(key)]
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".pgpass-")
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(handle, 0o600)  # before any secret is written into it
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write("\n".join([*kept, key + _escape(password)]) + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
