"""``python -m hms_desktop fhir-export --data-dir DIR --out FOLDER [--patient ID]``.

Bulk export writes FHIR Bulk Data NDJSON (one file per resource type and manifest.json);
``--patient`` writes that patient's Bundle as ``<ID>.json``. Acts as ``--user``: the whole
clinic needs *backup and restore* (an administrator, as File ▸ Export ▸ FHIR bulk export),
one patient what reading their record needs; the export is written to the access log
("exported"), so the command takes the folder (close HMS Desktop on it first: only the
process holding a folder can append to its log). Exit 0 done, 1 a resource failed FHIR
validation (nothing left in FOLDER) or the sign-in or permission was refused, 2 bad
arguments or folder.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from hms_desktop.cli._progress import ProgressLine
from hms_desktop.cli._signin import SignInRefused, add_user_option, refused, signed_in_services
from hms_desktop.interop.fhir_export import ExportError, bulk_export, patient_bundle, write_json
from hms_desktop.services.access_control import EXPORTED
from hms_desktop.services.container import build_services
from hms_desktop.storage import Store


def add_command(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "fhir-export", help="export patients as FHIR R4 (Bulk Data NDJSON, or one Bundle)",
        description="Every resource is validated with fhir.resources before it is written.")
    parser.add_argument("--data-dir", type=Path, required=True, help="the clinic data folder")
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    parser.add_argument("--patient", help="export only this patient as a Bundle, e.g. PAT000001")
    parser.add_argument("--validate", choices=("all", "whole"), default="all",
                        help="all (default): every resource, its structure matched to one "
                             "fhir.resources validated whole and every value checked against "
                             "its FHIR type; whole: every resource through fhir.resources "
                             "(the reference, several times slower)")
    add_user_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not args.data_dir.is_dir():
        print(f"error: --data-dir {args.data_dir} is not a folder", file=sys.stderr)
        return 2
    if args.out.exists() and not args.out.is_dir():
        print(f"error: --out {args.out} exists and is not a folder", file=sys.stderr)
        return 2
    store = Store(args.data_dir)
    started = time.perf_counter()
    try:
        if store.read_only:
            print(f"error: {args.data_dir}: {store.read_only_reason}; close it first (an export is "
                  "recorded in the folder's access log, which only one program writes)", file=sys.stderr)
            return 2
        services = signed_in_services(store, args.user)
        for row in store.quarantine:
            print(f"note: not exported (quarantined): {row}", file=sys.stderr)
        if args.patient:
            if services.patients.get(args.patient) is None:
                print(f"error: --patient {args.patient}: no such patient in {args.data_dir}",
                      file=sys.stderr)
                return 2
            bundle = patient_bundle(services, args.patient)
            args.out.mkdir(parents=True, exist_ok=True)
            path = args.out / f"{args.patient}.json"
            write_json(path, bundle)
            services.access.record(EXPORTED, patient_id=args.patient, detail=f"FHIR Bundle to {path}")
            print(f"wrote {path}: {len(bundle['entry'])} resources")
            return 0
        progress = ProgressLine()
        # The whole clinic is a backup in another format: allowed to whoever may back up (checked
        # and logged as them); its reads then go through services of the explicit system actor,
        # since no role both backs up and reads every record.
        result = services.folder.export_clinic(bulk_export, build_services(store), args.out,
                                               progress=progress, whole=args.validate == "whole")
        progress.done()
    except ExportError as exc:
        print(f"error: a resource failed FHIR validation, nothing written: {exc}", file=sys.stderr)
        return 1
    except (SignInRefused, PermissionError) as exc:
        return refused("fhir-export", exc, "nothing exported")
    finally:
        store.close()
    for kind, count in sorted(result.counts.items()):
        print(f"{kind}.ndjson: {count:,} resource(s)")
    print(f"exported {result.patients:,} patients ({result.total:,} resources) to {args.out} "
          f"in {time.perf_counter() - started:.1f} s")
    return 0
