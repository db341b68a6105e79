"""``python -m hms_desktop import --data-dir DIR FILE.csv|xlsx --date-format dd/mm/yyyy``.

Recognises the layout (patients, EHR lists, appointments, referrals, chronic readings; the
original system's CSV files included), checks every row, prints each problem as
``file:line: field: reason`` and writes through the services. Exit codes: 0 every row
imported; 1 rows were rejected (nothing written, or with --valid-rows the valid rows written
and the rejected ones saved to a CSV, or the sign-in or the role's permission refused);
2 the file, folder or arguments are unusable. Acts as ``--user`` (``cli/_signin.py``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from hms_desktop.cli._progress import ProgressLine
from hms_desktop.cli._signin import SignInRefused, add_user_option, refused, sign_in
from hms_desktop.interop.sheet_import import (
    Mode,
    apply_plan,
    counts,
    default_options,
    default_rejected_path,
    plan_import,
)
from hms_desktop.interop.sheet_layouts import KIND_TITLES, Kind, recognise
from hms_desktop.interop.sheet_read import Sheet, SheetError, read_sheet
from hms_desktop.interop.sheet_rows import DateOrder
from hms_desktop.services.session import Session, close_session, open_session


def add_command(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "import", help="import patients, record lists, appointments, referrals or readings "
                       "from a CSV or xlsx file",
        description="Layouts and columns: docs/import.md. Nothing is written unless every row "
                    "is valid, or with --valid-rows.")
    parser.add_argument("--data-dir", type=Path, required=True, help="the clinic data folder")
    parser.add_argument("file", type=Path, help="the .csv or .xlsx file")
    parser.add_argument("--date-format", required=True, choices=[o.value for o in DateOrder],
                        help="how the file writes dates that are not YYYY-MM-DD")
    parser.add_argument("--kind", choices=[k.value for k in Kind],
                        help="what the file holds (default: recognised from its headers)")
    parser.add_argument("--valid-rows", action="store_true",
                        help="import the valid rows and save the rejected ones to a CSV")
    parser.add_argument("--rejected", type=Path, help="where to save rejected rows "
                                                      "(default FILE.rejected.csv beside FILE)")
    parser.add_argument("--allow-duplicates", action="store_true",
                        help="register possible duplicates anyway (recorded as confirmed)")
    parser.add_argument("--provider", action="append", default=[], metavar="FILE_ID=OUR_ID",
                        help="map a doctor ID of the file to one of ours (repeatable)")
    parser.add_argument("--encoding", help="override the detected encoding (e.g. cp1252)")
    parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    add_user_option(parser)
    parser.set_defaults(func=run)


def _provider_map(pairs: list[str]) -> dict[str, str] | str:
    out = {}
    for pair in pairs:
        old, sep, new = pair.partition("=")
        if not sep or not old.strip() or not new.strip():
            return f"--provider {pair!r}: write FILE_ID=OUR_ID, e.g. DOC000003=DOC000001"
        out[old.strip()] = new.strip()
    return out


def run(args: argparse.Namespace) -> int:
    providers = _provider_map(args.provider)
    if isinstance(providers, str):
        print(f"error: {providers}", file=sys.stderr)
        return 2
    try:
        sheet = read_sheet(args.file, encoding=args.encoding)
    except SheetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    kind = Kind(args.kind) if args.kind else recognise(sheet.headers)
    if kind is None:
        print(f"error: {args.file}: the columns ({', '.join(sheet.headers)}) match no known "
              "layout; give --kind (docs/import.md lists the column names)", file=sys.stderr)
        return 2
    print(f"{args.file}: {len(sheet):,} row(s), {KIND_TITLES[kind]}, encoding {sheet.encoding}"
          + (f", delimiter {sheet.delimiter!r}" if sheet.delimiter else ""), file=sys.stderr)
    if not args.data_dir.is_dir():
        print(f"error: --data-dir {args.data_dir} is not a folder", file=sys.stderr)
        return 2
    session = open_session(args.data_dir)
    try:
        if session.read_only:
            print(f"error: {args.data_dir} is open in another HMS Desktop; nothing imported",
                  file=sys.stderr)
            return 2
        return _import(session, sheet, kind, providers, args)
    except (SignInRefused, PermissionError) as exc:
        return refused("import", exc, "nothing imported")
    finally:
        close_session(session)


def _import(session: Session, sheet: Sheet, kind: Kind, providers: dict[str, str],
            args: argparse.Namespace) -> int:
    """Signed in as ``--user``: every row goes through the services as theirs, and a role
    without the permission is refused by the first service call (before any row is written)."""
    sign_in(session.services, args.user, args.data_dir)
    options = default_options(sheet, kind, date_order=DateOrder(args.date_format),
                              mode=Mode.VALID_ROWS if args.valid_rows else Mode.ALL_OR_NOTHING,
                              phone_region=session.settings.phone_region,
                              allow_possible_duplicates=args.allow_duplicates,
                              provider_map=providers)
    for header, target in zip(sheet.headers, options.mapping, strict=False):
        if target is None:
            print(f"note: column {header!r} is not imported", file=sys.stderr)
    progress = ProgressLine()
    plan = plan_import(sheet, options, session.services, progress=progress)
    progress.done()
    for note in plan.notes():
        print(note, file=sys.stderr)
    for message in plan.messages():
        print(message)
    if plan.file_problems:
        return 2
    valid = len(plan.valid_rows)
    print(f"{valid:,} valid row(s), {len(plan.rejected_rows):,} rejected: "
          + ", ".join(f"{n:,} {k}" for k, n in counts(plan).items()), file=sys.stderr)
    if args.dry_run:
        print("dry run: nothing written", file=sys.stderr)
        return 1 if plan.rejected_rows else 0
    if not plan.can_apply:
        why = "no valid rows" if not valid else "rows have problems (use --valid-rows to " \
                                                "import the others)"
        print(f"nothing imported: {why}", file=sys.stderr)
        return 1
    rejected = args.rejected or default_rejected_path(args.file)
    result = apply_plan(plan, session.services, rejected_path=rejected)
    for name, count in result.written.items():
        print(f"imported {count:,} {name}")
    if result.estimated_birth_dates:
        print(f"{result.estimated_birth_dates:,} date(s) of birth estimated from an age: "
              "flagged for confirmation")
    if result.rejected_file is not None:
        print(f"{result.rejected:,} rejected row(s) saved to {result.rejected_file}")
        return 1
    return 0
