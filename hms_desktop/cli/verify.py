"""``python -m hms_desktop verify --data-dir DIR``: walk the audit chain, exit 0 only when intact."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from hms_desktop.storage.audit_verify import verify_folder


def add_command(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "verify", help="check the tamper-evident audit chain of a data folder",
        description="Compares every journal, history, day-file and access-log line with the audit "
                    "chain (audit/*.csv) and prints the first broken link of each file as "
                    "file:line: reason (edited, deleted, inserted, reordered; a file truncated or "
                    "deleted). Exit code 0 only when every chain is intact. Best run while the "
                    "application is closed: lines written during the run can be named.",
    )
    parser.add_argument("--data-dir", type=Path, required=True, help="the data folder to verify")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not Path(args.data_dir).is_dir():
        print(f"{args.data_dir}: not a folder", file=sys.stderr)
        return 2
    report = verify_folder(args.data_dir)
    for note in report.notes:
        print(f"note: {note}")
    for problem in report.problems:
        print(problem)
    if report.intact:
        since = f" since {report.since[:19]} UTC" if report.since else ""
        print(f"OK: the audit chain of {args.data_dir} is intact{since}: {report.entries:,} entries, "
              f"{report.lines:,} lines in {report.files:,} files; last entry {report.entries} ends "
              f"{report.head[:16]} (keep this line elsewhere to detect a chain rewritten whole)")
        return 0
    print(f"{len(report.problems)} broken link(s) in {args.data_dir}", file=sys.stderr)
    return 1
