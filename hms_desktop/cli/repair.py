"""``python -m hms_desktop repair --data-dir DIR --user NAME``: accept the folder as it is now.

Lists what it will settle and asks for ``yes`` (or takes ``--yes``). Needs the folder to
itself: close HMS Desktop first. Every file it replaces is copied to ``repair/<time>/``.
The signed-in ``--user`` (an administrator: the same people who restore a backup) is
recorded as who confirmed. A damaged folder is read-only, so a wrong password there is
counted only for this run. A folder with no accounts at all (made before accounts, or its
``users.csv`` is what was lost) cannot get one while damaged: its repair is recorded as the
operating-system user's. ``--by NAME`` (a free-text name) is gone: it says to use ``--user``.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hms_desktop.cli._signin import SignInRefused, add_user_option, refused, signed_in_services
from hms_desktop.services.data_repair import RepairResult, repair_folder, repair_plan
from hms_desktop.storage import Store
from hms_desktop.storage.accounts import USERS as USERS_SPEC


def add_command(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "repair", help="accept a damaged or hand-edited data folder as it is now (keeps copies)",
        description="After 'check' reports a missing, truncated or hand-edited file, rows that cannot "
                    "be loaded, a changed header or an ID given to two records: either restore the "
                    "files from a backup, or run this to accept the folder as it is now. Every file "
                    "it replaces is copied to repair/<time>/ and the manifest records who confirmed.",
    )
    parser.add_argument("--data-dir", type=Path, required=True, help="the data folder to repair")
    add_user_option(parser)
    parser.add_argument("--by", help=argparse.SUPPRESS)  # replaced by --user: says so
    parser.add_argument("--discard-unloadable", action="store_true",
                        help="also rewrite tables without the rows (or header changes) that cannot be loaded; "
                             "a copy of each file is kept. Without it they stay in the file.")
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.by is not None:
        print("repair: --by is no longer accepted: sign in with --user NAME (password from HMS_PASSWORD "
              "or a prompt); the repair is recorded as theirs", file=sys.stderr)
        return 2
    if not args.data_dir.is_dir():
        print(f"{args.data_dir}: not a folder", file=sys.stderr)
        return 1
    store = Store(args.data_dir)
    try:
        if store.access.lock_reason:
            print(f"cannot repair: {store.access.lock_reason}. Close it first.", file=sys.stderr)
            return 2
        services = None
        if len(store.table(USERS_SPEC)):
            services = signed_in_services(store, args.user)
            by = services.access.user.username
        else:
            by = f"{getpass.getuser()} (operating-system user: the folder has no accounts)"
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
            result = (services.folder.repair if services else _as_is)(
                repair_folder, store, by=by, discard_unloadable=args.discard_unloadable)
        except OSError as exc:
            print(f"not repaired: {exc}. Fix that file (or restore it from a backup), then try again.",
                  file=sys.stderr)
            return 1
    except (SignInRefused, PermissionError) as exc:
        return refused("repair", exc, "nothing repaired")
    finally:
        store.close()
    print(f"repaired by {result.by} at {result.at}; the files it replaced are in {result.copy_dir}")
    return 0


def _as_is(task: Callable[..., RepairResult], *args: Any, **kwargs: Any) -> RepairResult:
    return task(*args, **kwargs)
