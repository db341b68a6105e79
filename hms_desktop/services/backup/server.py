"""Backup and restore of a clinic on a PostgreSQL server, in the same backup file as a folder.

A server clinic is backed up by exporting it through the backend (``export-csv``: one
REPEATABLE READ transaction, so every table, version and day-file row is from one instant)
into a private temporary folder, which then goes through the very same snapshot → zip →
checksum → encryption path as a CSV folder. We chose that over ``pg_dump`` because:

- it needs nothing but this program on the workstation: ``pg_dump`` must be installed and at
  least as new as the server, which reception PCs (often Windows) rarely have;
- one format and one restore path for both backends: the passphrase, the checksums
  verified before anything is written, the monthly restore test, the rotation;
- the backup is also an ordinary data folder: restoring it with ``restore --to DIR`` gives a
  folder that ``check`` passes and the app opens without any server (open data).

Restoring onto a server verifies the whole file, extracts it into a private folder, checks
it like ``check``, and copies it with ``migrate`` (every version, counts and checksums read
back) into an empty database. It is not a replacement of a database in use: restore into a
new database, then point the workstations at it (docs/postgresql.md).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from hms_desktop.storage.postgres.conninfo import describe
from hms_desktop.storage.snapshot import Snapshot, take_snapshot

from .archive import ProgressFn, restore_backup
from .crypto import BackupError

Say = Callable[[str], None]


def is_server_store(store: object) -> bool:
    """A store on a PostgreSQL server (it has an address and announces changes to others)."""
    return isinstance(getattr(store, "conninfo", None), str) and hasattr(store, "subscribe_changes")


def server_address(store: object) -> str | None:
    """The address (without password) of a store on a server; None for a data folder."""
    return str(getattr(store, "conninfo")) if is_server_store(store) else None  # noqa: B009


def snapshot_server(url: str, *, say: Say | None = None) -> tuple[Snapshot, dict[str, int]]:
    """The server clinic as a data folder at one instant, ready for ``write_backup``.

    The exported folder is removed when the snapshot is closed.
    """
    from hms_desktop.services.transfer.to_folder import export_folder
    from hms_desktop.services.transfer.to_server import MigrationError
    from hms_desktop.storage.postgres.errors import ServerUnavailableError

    scratch = Path(tempfile.mkdtemp(prefix="hms-server-backup-"))
    try:
        counts = export_folder(url, scratch / "clinic", say=say or (lambda _line: None))
        snapshot = take_snapshot(scratch / "clinic")
    except (MigrationError, ServerUnavailableError) as exc:
        shutil.rmtree(scratch, ignore_errors=True)
        raise BackupError(f"could not read the clinic on the server: {exc}") from None
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    snapshot.remove_on_close(scratch)
    return snapshot, {name: n for name, n in counts.items() if not name.endswith("(day files)")}


def restore_to_server(path: Path, url: str, passphrase: str | None = None, *,
                      progress: ProgressFn | None = None, say: Say | None = None) -> dict[str, int]:
    """Verify ``path``, check its data, and copy it into the empty database at ``url``.

    Returns the rows copied per part. Raises ``BackupError`` (nothing is copied) when the
    backup is damaged or its data does not pass the check, and when the database is not empty.
    """
    from hms_desktop.services.data_check import check_data
    from hms_desktop.services.transfer.to_server import MigrationError, migrate_folder
    from hms_desktop.storage.postgres.errors import ServerUnavailableError

    try:
        holding = tables_holding_records(url)
    except ServerUnavailableError as exc:
        raise BackupError(str(exc)) from None
    if holding:
        raise BackupError(f"the database at {describe(url)} already holds records ({', '.join(holding)}); "
                          "restore into a new, empty database, then point the workstations at it")
    scratch = Path(tempfile.mkdtemp(prefix="hms-server-restore-"))
    try:
        folder = restore_backup(path, scratch / "clinic", passphrase, progress=progress).target
        report = check_data(folder)
        if not report.clean:
            raise BackupError(f"{path}: the data in the backup has {len(report.problems)} problem(s); "
                              f"nothing was restored. First: {report.problems[0]}")
        try:
            copied = migrate_folder(folder, url, say=say or (lambda _line: None))
        except (MigrationError, ServerUnavailableError) as exc:
            raise BackupError(f"restore onto the server failed: {exc}") from None
        return dict(copied.copied)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def tables_holding_records(url: str) -> list[str]:
    """The clinic tables at ``url`` that hold at least one record (checked before a restore,
    which copies table by table and must not leave a mix of two clinics)."""
    from contextlib import closing

    from psycopg import sql

    from hms_desktop.storage.postgres.ddl import versions_table
    from hms_desktop.storage.postgres.store import PgStore

    store = PgStore(url, listen=False, read_only=True)
    with closing(store), store.connection() as conn:
        names = [row[0] for row in conn.execute("SELECT name FROM hms_tables ORDER BY name")]
        return [name for name in names if conn.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(
            versions_table(name))).fetchone() == (True,)]
