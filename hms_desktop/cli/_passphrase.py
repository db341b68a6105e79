"""Where the backup and restore commands get a passphrase: a file, the environment, or a prompt.

Never from a command-line argument: those are visible to every user in the process list.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from hms_desktop.services.backup import BackupError, check_passphrase

ENV = "HMS_BACKUP_PASSPHRASE"


def add_passphrase_option(parser: object) -> None:
    parser.add_argument(  # type: ignore[attr-defined]
        "--passphrase-file", type=Path, default=None,
        help=f"read the passphrase from the first line of this file (or set {ENV}; "
             "otherwise you are asked)")


def read_passphrase(source: Path | None, *, confirm: bool) -> str:
    if source is not None:
        try:
            lines = source.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise BackupError(f"{source}: cannot read the passphrase file ({exc.strerror or exc})") from None
        passphrase = lines[0] if lines else ""
    elif os.environ.get(ENV):
        passphrase = os.environ[ENV]
    else:
        passphrase = getpass.getpass("Backup passphrase: ")
        if confirm:
            print("A lost passphrase means a lost backup: nobody can decrypt it without it.")
            if getpass.getpass("Type it again: ") != passphrase:
                raise BackupError("the two passphrases differ")
    check_passphrase(passphrase)
    return passphrase
