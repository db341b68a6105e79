"""Which servers a workstation may use, and how credentials stay out of the data folder.

- A password written into ``--database postgresql://user:secret@host/db`` is refused: it
  would end up in shell history, shortcuts and crash reports. Use a libpq password file
  (``PGPASSFILE``, default ``~/.pgpass``) or a service file (``service=clinic`` with
  ``PGSERVICEFILE``); both live in the user's profile, never in the data folder.
- A server that is not on this machine must be reached with ``sslmode=verify-full`` (TLS
  with the server's certificate and host name checked), so patient data never crosses the
  clinic network in clear and a look-alike server cannot collect it.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

LOCAL_HOSTS = frozenset({"", "localhost", "127.0.0.1", "::1"})


class ConnectionSettingsError(ValueError):
    """A database address this program refuses to use, with the reason and the fix."""


def check_database_url(url: str) -> None:
    """Raise ConnectionSettingsError for a clear-text password or an unverified remote server."""
    if url.startswith("service="):
        return  # everything (host, TLS, user) is in the service file, checked by libpq
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ConnectionSettingsError(f"--database {url!r}: expected postgresql://host/database")
    if parts.password:
        raise ConnectionSettingsError(
            "--database: do not put the password in the address; put it in a libpq password "
            "file (PGPASSFILE, ~/.pgpass) or use service=NAME (docs/postgresql.md)")
    hosts = {h.strip("[]") for h in (parts.hostname or "").split(",")}
    query = parse_qs(parts.query)
    hosts |= {h for value in query.get("host", []) for h in value.split(",")}
    remote = {h for h in hosts if h not in LOCAL_HOSTS and not h.startswith("/")}
    if remote and query.get("sslmode", [""])[0] != "verify-full":
        raise ConnectionSettingsError(
            f"--database: the server {', '.join(sorted(remote))} is not on this machine; add "
            "?sslmode=verify-full (and the clinic's CA in ~/.postgresql/root.crt) so patient "
            "data travels encrypted to the right server (docs/postgresql.md)")


def describe(url: str) -> str:
    """The address without any password, for messages and logs."""
    if url.startswith("service="):
        return url
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"postgresql://{host}{port}{parts.path}"


def reach_server(url: str, *, password: str = "", timeout_s: int = 5) -> None:
    """Connect once and ask the server a question; raise ``ServerUnavailableError`` naming it."""
    import psycopg

    from .errors import ServerUnavailableError

    extra = {"password": password} if password else {}
    try:
        with psycopg.connect(url, connect_timeout=timeout_s, **extra) as conn:  # type: ignore[arg-type]
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[-1]
        raise ServerUnavailableError(f"Cannot reach the PostgreSQL server at {describe(url)}: {reason}") from exc
