"""``python -m hms_desktop restore FILE --to DIR``: verify every checksum, restore, then check."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from hms_desktop.cli._passphrase import add_passphrase_option, read_passphrase
from hms_desktop.cli._progress import ProgressLine
from hms_desktop.services.backup import (
    BackupError,
    is_encrypted,
    record_restore_test,
    restore_backup,
)
from hms_desktop.services.data_check import check_data


def add_command(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "restore", help="restore a backup into a new data folder",
        description="Verifies every file of the backup against its SHA-256 before writing "
                    "anything, restores into DIR (which must be new or empty unless --replace), "
                    "then runs the same check as `check`. Exit 0 only when all of it succeeded.",
    )
    parser.add_argument("file", type=Path, help="the backup file (.hmsbak or .zip)")
    parser.add_argument("--to", type=Path, required=True, help="the folder to restore into")
    parser.add_argument("--replace", action="store_true",
                        help="replace a folder that holds data; it is kept as <DIR>-before-restore-<time>")
    add_passphrase_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        passphrase = read_passphrase(args.passphrase_file, confirm=False) if (
            args.file.is_file() and is_encrypted(args.file)) else None
        progress = ProgressLine()
        result = restore_backup(args.file, args.to, passphrase, replace=args.replace, progress=progress)
        progress.done()
    except BackupError as exc:
        print(f"restore: {exc}", file=sys.stderr)
        return 1
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
