"""``python -m hms_desktop ics --data-dir DIR (--provider ID | --patient ID) [--out FILE]``.

Acts as ``--user`` (reading the schedule needs *view schedule*), and the export is written to
the access log ("exported"), so the command takes the folder: close HMS Desktop on it first.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from hms_desktop.cli._signin import SignInRefused, add_user_option, refused, signed_in_services
from hms_desktop.services.access_control import EXPORTED
from hms_desktop.services.ics import export_ics
from hms_desktop.storage import Store, replace_file


def add_command(subparsers: Any) -> None:
    parser = subparsers.add_parser("ics", help="export a provider's or a patient's appointments as .ics")
    parser.add_argument("--data-dir", required=True, type=Path, help="the clinic data folder")
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--provider", help="provider id, e.g. DOC000001")
    who.add_argument("--patient", help="patient id, e.g. PAT000001")
    parser.add_argument("--out", type=Path, help="file to write (default: standard output)")
    add_user_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not args.data_dir.is_dir():
        print(f"error: --data-dir {args.data_dir} is not a folder", file=sys.stderr)
        return 2
    store = Store(args.data_dir)
    try:
        if store.read_only:
            print(f"error: {args.data_dir}: {store.read_only_reason}; close it first (an export is "
                  "recorded in the folder's access log, which only one program writes)", file=sys.stderr)
            return 2
        services = signed_in_services(store, args.user)
        data = export_ics(services.scheduling, provider_id=args.provider, patient_id=args.patient)
        services.access.record(EXPORTED, patient_id=args.patient or "",
                               detail=f"appointments of {args.provider or args.patient} as .ics "
                                      f"to {args.out or 'standard output'}")
    except (SignInRefused, PermissionError) as exc:
        return refused("ics", exc, "nothing exported")
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    if args.out:
        replace_file(args.out, data)
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0
