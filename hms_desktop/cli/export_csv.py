"""``python -m hms_desktop export-csv --from postgresql://… --to DIR``: a server clinic as CSV."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def add_command(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export-csv", help="write a PostgreSQL clinic as a CSV data folder (history included)",
        description="Writes a new data folder that `check` passes and the app opens: current rows, "
                    "every version with who and when, day files and quarantine notes.",
    )
    parser.add_argument("--from", dest="source", required=True, metavar="postgresql://HOST/DATABASE",
                        help="the server (password in PGPASSFILE or a service file, never here)")
    parser.add_argument("--to", dest="target", type=Path, required=True, help="a new, empty folder")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from hms_desktop.services.transfer.to_folder import export_folder
    from hms_desktop.services.transfer.to_server import MigrationError
    from hms_desktop.storage.postgres.conninfo import ConnectionSettingsError, check_database_url
    from hms_desktop.storage.postgres.errors import ServerUnavailableError

    try:
        check_database_url(args.source)
        counts = export_folder(args.source, args.target)
    except (ConnectionSettingsError, MigrationError, ServerUnavailableError) as exc:
        print(f"export-csv: {exc}", file=sys.stderr)
        return 1
    print(f"OK: {sum(counts.values())} row(s) written to {args.target}")
    return 0
