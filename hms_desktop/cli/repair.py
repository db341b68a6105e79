"""``python -m hms_desktop repair --data-dir DIR --by NAME``: accept the folder as it is now.

Lists what it will settle and asks for ``yes`` (or takes ``--yes``). Needs the folder to
itself: close HMS Desktop first. Every file it replaces is copied to ``repair/<time>/``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from hms_desktop.services.data_repair import repair_folder, repair_plan
from hms_desktop.storage import Store


def add_command(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "repair", help="accept a damaged or hand-edited data folder as it is now (keeps copies)",
        description="After 'check' reports a missing, truncated or hand-edited file, rows that cannot "
                    "be loaded, a changed header or an ID given to two records: either restore the "
                    "files from a backup, or run this to accept the folder as it is now. Every file "
                    "it replaces is copied to repair/<time>/ and the manifest records who confirmed.",
    )
    parser.add_argument("--data-dir", type=Path, required=True, help="the data folder to repair")
    parser.add_argument("--by", required=True, help="the name of the person who confirms the repair")
    parser.add_argument("--discard-unloadable", action="store_true",
                        help="also rewrite tables without the rows (or header changes) that cannot be loaded; "
                             "a copy of each file is kept. Without it they stay in the file.")
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not args.data_dir.is_dir():
        print(f"{args.data_dir}: not a folder", file=sys.stderr)
        return 1
    store = Store(args.data_dir)
    try:
        if store.access.lock_reason:
            print(f"cannot repair: {store.access.lock_reason}. Close it first.", file=sys.stderr)
            return 2
        steps = repair_plan(store, discard_unloadable=args.discard_unloadable)
        if not steps:
            print(f"{args.data_dir}: nothing to repair")
            return 0
        print(f"Repair of {args.data_dir} will:")
        for step in steps:
            print(f"  - {step}")
        if not args.yes:
            print("Type yes to repair (a copy of every file it replaces is kept): ", end="", flush=True)
            if sys.stdin.readline().strip().lower() != "yes":
                print("not repaired", file=sys.stderr)
                return 1
        try:
            result = repair_folder(store, by=args.by, discard_unloadable=args.discard_unloadable)
        except OSError as exc:
            print(f"not repaired: {exc}. Fix that file (or restore it from a backup), then try again.",
                  file=sys.stderr)
            return 1
    finally:
        store.close()
    print(f"repaired by {result.by} at {result.at}; the files it replaced are in {result.copy_dir}")
    return 0
