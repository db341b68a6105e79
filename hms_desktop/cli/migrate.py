"""``python -m hms_desktop migrate --from DIR --to postgresql://… --user NAME``: move a clinic to a server.

Copying the whole clinic out is the whole-clinic export: it acts as ``--user``, who needs
*backup and restore* (an administrator of the folder), and is recorded in the folder's access
log. The command holds the folder meanwhile (close HMS Desktop on it first); its rows are
not changed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from hms_desktop.cli._signin import SignInRefused, add_user_option, refused, sign_in
from hms_desktop.domain.accounts import SignedInUser
from hms_desktop.services.access_control import EXPORTED, AccessControl
from hms_desktop.services.bus import EventBus
from hms_desktop.services.container import build_services
from hms_desktop.storage import Store


def add_command(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "migrate", help="copy a data folder, with its whole history, onto a PostgreSQL server",
        description="Copies every table with every version, the day files and the quarantine notes; "
                    "verifies counts and checksums of each part; run it again after an interruption "
                    "to finish (done parts are skipped). The folder is not changed.",
    )
    parser.add_argument("--from", dest="source", type=Path, required=True, help="the data folder")
    parser.add_argument("--to", dest="target", required=True, metavar="postgresql://HOST/DATABASE",
                        help="the server (password in PGPASSFILE or a service file, never here)")
    add_user_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from hms_desktop.services.transfer.to_server import MigrationError, migrate_folder
    from hms_desktop.storage.postgres.conninfo import ConnectionSettingsError, check_database_url
    from hms_desktop.storage.postgres.errors import ServerUnavailableError

    try:
        check_database_url(args.target)
        if not Path(args.source).is_dir():
            raise MigrationError(f"{args.source}: not a folder")
        store = Store(args.source)
        try:
            if store.access.lock_reason:
                raise MigrationError(f"{args.source}: {store.access.lock_reason}; close it first")
            # Nothing is logged in the folder while it is copied: a line added to its access log
            # would make a second run (to finish an interrupted one) find a copied part changed.
            # A wrong password still counts toward the lock-out (the users table).
            services = build_services(store, EventBus(), access=AccessControl(None))
            user = sign_in(services, args.user, args.source)
            report = services.folder.export_clinic(migrate_folder, args.source, args.target)
        finally:
            store.close()
        _log_on_server(args.target, args.source, user)
    except (ConnectionSettingsError, MigrationError, ServerUnavailableError) as exc:
        print(f"migrate: {exc}", file=sys.stderr)
        return 1
    except (SignInRefused, PermissionError) as exc:
        return refused("migrate", exc, "nothing copied")
    print(f"OK: {sum(report.copied.values())} row(s) copied in {len(report.copied)} part(s), "
          f"{len(report.skipped)} part(s) already done")
    return 0


def _log_on_server(url: str, folder: Path, user: SignedInUser) -> None:
    """The clinic lives on the server now: its access log says who moved it there."""
    from hms_desktop.storage.postgres import open_pg_store

    server: Any = open_pg_store(url, listen=False, data_dir=folder)  # the Store interface
    try:
        AccessControl(server, user=user).record(EXPORTED, detail=f"whole clinic migrated from {Path(folder).resolve()}")
    finally:
        server.close()
