"""``python -m hms_desktop demo --data-dir DIR --patients N [--seed S]``: synthetic clinic data.

Uses the same start-up path as the app's first run (``open_session`` with demo data), so
the data goes through the services and obeys every rule the UI enforces.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from hms_desktop.cli._progress import ProgressLine
from hms_desktop.services import demo
from hms_desktop.services.session import close_session, open_session


def add_command(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo", help="fill an empty data folder with realistic synthetic data",
        description="Generates demo patients and records in every table, through the services. "
                    "Refuses a folder that already holds records, so demo data never mixes "
                    "with real data.",
    )
    parser.add_argument("--data-dir", type=Path, required=True, help="an empty (or new) data folder")
    parser.add_argument("--patients", type=_non_negative, required=True, help="number of patients")
    parser.add_argument("--seed", type=int, default=None, help="random seed for repeatable data")
    parser.set_defaults(func=run)


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--patients: {text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("--patients: must be 0 or more")
    return value


def run(args: argparse.Namespace) -> int:
    if not demo.GENERATORS:
        print("this build has no demo generators yet; nothing generated", file=sys.stderr)
        return 1
    progress = ProgressLine()
    started = time.perf_counter()
    session = open_session(args.data_dir, demo_if_empty=True, demo_patients=args.patients,
                           demo_seed=args.seed, progress=progress)
    try:
        progress.done()
        if session.read_only:
            print(f"{args.data_dir} is open in another HMS Desktop; nothing generated",
                  file=sys.stderr)
            return 2
        if not session.demo_patients and args.patients:
            print(f"{args.data_dir} already holds records; demo data is only written to an "
                  "empty folder. Nothing generated.", file=sys.stderr)
            return 1
    finally:
        close_session(session)
    elapsed = time.perf_counter() - started
    for name, count in session.table_counts.items():
        print(f"{name}: {count} row(s)")
    print(f"demo data for {args.patients} patients written to {args.data_dir} in {elapsed:.1f} s")
    return 0
