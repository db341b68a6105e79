"""``python -m hms_desktop ics --data-dir DIR (--provider ID | --patient ID) [--out FILE]``.

Reads the data folder without taking the writer lock, so it works while the app is open.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from hms_desktop.services.bus import EventBus
from hms_desktop.services.ics import export_ics
from hms_desktop.services.scheduling import SchedulingService
from hms_desktop.storage import Store, replace_file


def add_command(subparsers: Any) -> None:
    parser = subparsers.add_parser("ics", help="export a provider's or a patient's appointments as .ics")
    parser.add_argument("--data-dir", required=True, type=Path, help="the clinic data folder")
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--provider", help="provider id, e.g. DOC000001")
    who.add_argument("--patient", help="patient id, e.g. PAT000001")
    parser.add_argument("--out", type=Path, help="file to write (default: standard output)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not args.data_dir.is_dir():
        print(f"error: --data-dir {args.data_dir} is not a folder", file=sys.stderr)
        return 2
    store = Store(args.data_dir, read_only=True)
    try:
        data = export_ics(SchedulingService(store, EventBus()), provider_id=args.provider,
                          patient_id=args.patient)
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
