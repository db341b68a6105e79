"""``python -m hms_desktop restore FILE --to DIR``: verify every checksum, restore, then check.

``restore FILE --to-database postgresql://…`` restores into an empty database on a server
(services/backup/server.py); a backup of either backend restores to either.

Restoring into a new or empty folder needs no account: nothing there to protect, and the
backup's passphrase is what guards its contents (its accounts come with it). ``--replace``
over a folder that holds accounts acts as ``--user``, one of that folder's administrators
(*backup and restore*), checked before anything is read or moved, and written to that
folder's access log (it is kept as ``<DIR>-before-restore-<time>``). A folder with no
accounts (from before them, or damaged) has nobody to sign in and is replaced as before.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from hms_desktop.cli._passphrase import add_passphrase_option, read_passphrase
from hms_desktop.cli._progress import ProgressLine
from hms_desktop.cli._signin import SignInRefused, add_user_option, refused, signed_in_services
from hms_desktop.services.backup import (
    BackupError,
    is_encrypted,
    record_restore_test,
    restore_backup,
)
from hms_desktop.services.data_check import check_data
from hms_desktop.storage import Store
from hms_desktop.storage.accounts import USERS

#: The access-log action of a restore over a folder that held data
REPLACED_BY_RESTORE = "replaced by a restore"


def add_command(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "restore", help="restore a backup into a new data folder",
        description="Verifies every file of the backup against its SHA-256 before writing "
                    "anything, restores into DIR (which must be new or empty unless --replace), "
                    "then runs the same check as `check`. Exit 0 only when all of it succeeded.",
    )
    parser.add_argument("file", type=Path, help="the backup file (.hmsbak or .zip)")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--to", type=Path, help="the folder to restore into")
    target.add_argument("--to-database", metavar="postgresql://HOST/DATABASE",
                        help="an empty database on a PostgreSQL server to restore into "
                             "(password in PGPASSFILE or a service file, never here)")
    parser.add_argument("--replace", action="store_true",
                        help="replace a folder that holds data; it is kept as <DIR>-before-restore-<time>")
    add_passphrase_option(parser)
    add_user_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.to_database:
        return _to_server(args)
    try:
        if args.replace:
            _authorise_replace(args.to, args.user, args.file)
        passphrase = read_passphrase(args.passphrase_file, confirm=False) if (
            args.file.is_file() and is_encrypted(args.file)) else None
        progress = ProgressLine()
        result = restore_backup(args.file, args.to, passphrase, replace=args.replace, progress=progress)
        progress.done()
    except BackupError as exc:
        print(f"restore: {exc}", file=sys.stderr)
        return 1
    except (SignInRefused, PermissionError) as exc:
        return refused("restore", exc, "nothing restored")
    print(f"Restored {result.files} file(s) into {result.target}")
    if result.kept_copy is not None:
        print(f"The folder that was there is kept as {result.kept_copy}")
    report = check_data(result.target)
    for name, count in report.counts.items():
        print(f"{name}: {count} row(s)")
    for problem in report.problems:
        print(problem)
    if not report.clean:
        print(f"restore: {len(report.problems)} problem(s) in the restored folder", file=sys.stderr)
        return 1
    record_restore_test(result.target)
    print(f"OK: {result.target} is clean")
    return 0


def _authorise_replace(target: Path, username: str, backup: Path) -> None:
    """A folder holding accounts is replaced only by one of its administrators, recorded."""
    if not (target.is_dir() and any(target.iterdir())):
        return
    store = Store(target)
    try:
        if store.access.lock_reason:
            raise BackupError(f"{target}: {store.access.lock_reason}; close it first")
        if not len(store.table(USERS)):
            return
        services = signed_in_services(store, username)
        services.folder.restore(services.access.record, REPLACED_BY_RESTORE, detail=f"from {backup}")
    finally:
        store.close()


def _to_server(args: argparse.Namespace) -> int:
    from hms_desktop.services.backup.server import restore_to_server
    from hms_desktop.storage.postgres.conninfo import ConnectionSettingsError, check_database_url

    try:
        check_database_url(args.to_database)
        passphrase = read_passphrase(args.passphrase_file, confirm=False) if (
            args.file.is_file() and is_encrypted(args.file)) else None
        progress = ProgressLine()
        copied = restore_to_server(args.file, args.to_database, passphrase, progress=progress)
        progress.done()
    except (BackupError, ConnectionSettingsError) as exc:
        print(f"restore: {exc}", file=sys.stderr)
        return 1
    print(f"OK: {sum(copied.values())} row(s) in {len(copied)} part(s) restored, read back and "
          f"compared on the server")
    return 0
