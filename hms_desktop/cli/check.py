"""``python -m hms_desktop check --data-dir DIR``: validate every file, exit 0 only when clean."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from hms_desktop.cli._progress import ProgressLine
from hms_desktop.services.data_check import check_data


def add_command(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check", help="validate every file in a data folder",
        description="Loads every table and day file; prints a count per table and every problem "
                    "as file:line: reason. Exit code 0 only when the folder is clean.",
    )
    parser.add_argument("--data-dir", type=Path, required=True, help="the data folder to check")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    progress = ProgressLine()
    report = check_data(args.data_dir, progress=progress)
    progress.done()
    for name, count in report.counts.items():
        print(f"{name}: {count} row(s)")
    for note in report.notes:
        print(f"note: {note}")
    for warning in report.warnings:
        print(f"warning: {warning}")
    for problem in report.problems:
        print(problem)
    if report.clean:
        print(f"OK: {args.data_dir} is clean")
        return 0
    print(f"{len(report.problems)} problem(s) in {args.data_dir}", file=sys.stderr)
    return 1
