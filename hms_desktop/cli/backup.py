"""``python -m hms_desktop backup --data-dir DIR --to FILE`` and ``backup --verify FILE``.

``backup --database postgresql://… --to FILE`` backs up a clinic on a server into the same
kind of file (services/backup/server.py), signed in as one of the server clinic's accounts.

Backing up a folder acts as ``--user`` (an administrator: *backup and restore*), and the
backup is an access event ("exported": the whole folder, to which file). ``--verify`` reads
only the backup file, which its passphrase protects, and needs no account.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from hms_desktop.cli._passphrase import add_passphrase_option, read_passphrase
from hms_desktop.cli._progress import ProgressLine
from hms_desktop.cli._signin import (
    SignInRefused,
    add_user_option,
    refused,
    signed_in_on_server,
    signed_in_services,
)
from hms_desktop.services.access_control import EXPORTED
from hms_desktop.services.backup import (
    BackupError,
    BackupResult,
    create_key,
    is_encrypted,
    load_plan,
    record_outcome,
    record_restore_test,
    snapshot_store,
    verified_backup,
    write_backup_file,
)
from hms_desktop.services.backup.server import snapshot_server
from hms_desktop.services.backup.service import backup_file_name
from hms_desktop.storage import Store
from hms_desktop.storage.postgres.conninfo import ConnectionSettingsError, check_database_url


def add_command(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "backup", help="back up a data folder into one encrypted file, or verify a backup",
        description="Writes one file holding a consistent copy of the data folder with a manifest "
                    "of every file's size and SHA-256, encrypted with a passphrase unless "
                    "--no-encrypt. With --verify FILE, checks a backup completely instead. "
                    "Close HMS Desktop on the folder first (or use File > Back up now in it).",
    )
    parser.add_argument("--data-dir", type=Path,
                        help="the data folder to back up (with --verify: record the test for it)")
    parser.add_argument("--database", metavar="postgresql://HOST/DATABASE",
                        help="back up the clinic on this PostgreSQL server instead of a folder "
                             "(password in PGPASSFILE or a service file, never here)")
    parser.add_argument("--to", type=Path, help="the backup file, or a folder to put it in")
    parser.add_argument("--no-encrypt", action="store_true",
                        help="write a plain .zip that anyone with the file can read")
    parser.add_argument("--verify", type=Path, metavar="FILE",
                        help="verify this backup (every checksum) and exit 0 only if it is intact")
    add_passphrase_option(parser)
    add_user_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        if args.verify is not None:
            return _verify(args)
        if (args.data_dir is None and args.database is None) or args.to is None:
            print("backup: --data-dir (or --database) and --to are required (or --verify FILE)",
                  file=sys.stderr)
            return 2
        return _back_up_server(args) if args.database else _back_up(args)
    except (BackupError, ConnectionSettingsError) as exc:
        print(f"backup: {exc}", file=sys.stderr)
        return 1
    except (SignInRefused, PermissionError) as exc:
        return refused("backup", exc, "nothing backed up")


def _verify(args: argparse.Namespace) -> int:
    passphrase = read_passphrase(args.passphrase_file, confirm=False) if (
        args.verify.is_file() and is_encrypted(args.verify)) else None
    progress = ProgressLine()
    with verified_backup(args.verify, passphrase, progress) as backup:
        progress.done()
        rows = backup.manifest.get("rows", {})
        print(f"OK: {args.verify} is intact: {len(backup.files)} file(s), made {backup.created}")
        for name, count in sorted(rows.items()):
            print(f"{name}: {count} row(s)")
    if args.data_dir is not None and Path(args.data_dir).is_dir():
        record_restore_test(args.data_dir)
    return 0


def _back_up(args: argparse.Namespace) -> int:
    data_dir = Path(args.data_dir)
    if not data_dir.is_dir():
        raise BackupError(f"{data_dir}: not a folder")
    # Holding the folder's lock is what makes the copy consistent: nobody writes meanwhile.
    store = Store(data_dir)
    try:
        if store.read_only:
            raise BackupError(f"{store.read_only_reason}. Use File ▸ Back up now… in that window, "
                              "or close it first")
        services = signed_in_services(store, args.user)
        plan = load_plan(data_dir)
        key = None
        if not args.no_encrypt:
            key = plan.backup_key() if plan.key is not None else create_key(
                read_passphrase(args.passphrase_file, confirm=True))
        target = Path(args.to)
        if target.is_dir():
            target = backup_file_name(datetime.now(), key is not None, target)
        progress = ProgressLine()
        snapshot, counts = services.folder.back_up(snapshot_store, store)
        with snapshot:
            result = write_backup_file(snapshot, target, key, counts, progress)
        progress.done()
        record_outcome(data_dir, result)
        services.access.record(EXPORTED, detail=f"backup of the whole folder to {result.path} "
                                                f"({'encrypted' if key is not None else 'NOT encrypted'})")
    finally:
        store.close()
    _say_written(result, key)
    return 0


def _back_up_server(args: argparse.Namespace) -> int:
    check_database_url(args.database)
    with signed_in_on_server(args.database, args.user) as services:
        key = None if args.no_encrypt else create_key(read_passphrase(args.passphrase_file, confirm=True))
        target = Path(args.to)
        if target.is_dir():
            target = backup_file_name(datetime.now(), key is not None, target)
        progress = ProgressLine()
        snapshot, counts = services.folder.back_up(snapshot_server, args.database)
        with snapshot:
            result = write_backup_file(snapshot, target, key, counts, progress)
        progress.done()
        services.access.record(EXPORTED, detail=f"backup of the whole clinic to {result.path} "
                                                f"({'encrypted' if key is not None else 'NOT encrypted'})")
    if args.data_dir is not None and Path(args.data_dir).is_dir():
        record_outcome(args.data_dir, result)
    _say_written(result, key)
    return 0


def _say_written(result: BackupResult, key: object) -> None:
    kind = "encrypted" if key is not None else "NOT encrypted"
    print(f"OK: {result.files} file(s), {result.data_bytes:,} bytes of data -> {result.path} "
          f"({result.size:,} bytes, {kind})")
