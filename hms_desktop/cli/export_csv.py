"""``python -m hms_desktop export-csv --from postgresql://… --to DIR --user NAME``: a server clinic as CSV.

The whole clinic leaves the server: one of its administrators (*backup and restore*) signs
in against the server's accounts, and the export is recorded in the server's access log.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from hms_desktop.cli._signin import SignInRefused, add_user_option, refused, signed_in_on_server


def add_command(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export-csv", help="write a PostgreSQL clinic as a CSV data folder (history included)",
        description="Writes a new data folder that `check` passes and the app opens: current rows, "
                    "every version with who and when, day files and quarantine notes.",
    )
    parser.add_argument("--from", dest="source", required=True, metavar="postgresql://HOST/DATABASE",
                        help="the server (password in PGPASSFILE or a service file, never here)")
    parser.add_argument("--to", dest="target", type=Path, required=True, help="a new, empty folder")
    add_user_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from hms_desktop.services.access_control import EXPORTED
    from hms_desktop.services.transfer.to_folder import export_folder
    from hms_desktop.services.transfer.to_server import MigrationError
    from hms_desktop.storage.postgres.conninfo import ConnectionSettingsError, check_database_url
    from hms_desktop.storage.postgres.errors import ServerUnavailableError

    try:
        check_database_url(args.source)
        with signed_in_on_server(args.source, args.user) as services:
            counts = services.folder.export_clinic(export_folder, args.source, args.target)
            services.access.record(EXPORTED, detail=f"whole clinic as a CSV folder to {args.target}")
    except (ConnectionSettingsError, MigrationError, ServerUnavailableError) as exc:
        print(f"export-csv: {exc}", file=sys.stderr)
        return 1
    except (SignInRefused, PermissionError) as exc:
        return refused("export-csv", exc, "nothing exported")
    print(f"OK: {sum(counts.values())} row(s) written to {args.target}")
    return 0
