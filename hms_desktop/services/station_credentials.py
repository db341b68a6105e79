"""The nurse-station kiosk's credential file: lets a station PC sign in unattended after a
restart (docs/security.md).

The station account's password is a random 256-bit secret that no person ever types or
sees; the file holding it is created ``0600`` and refused at sign-in if anyone but its OS
user could read it (the same rule ssh applies to a private key). Whoever can read the file
can act as the station — view beds, acknowledge alarms, pause audio — and nothing more.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
from pathlib import Path

from hms_desktop.domain.accounts import Permission, Role, SignedInUser
from hms_desktop.services.accounts import AccountError, AccountService
from hms_desktop.storage.csvfile import FILE_MODE


def provision_station(accounts: AccountService, username: str, display_name: str, path: Path) -> None:
    """Create the station account (or give it a new secret) and write its credential file."""
    accounts.access.require(Permission.MANAGE_USERS, what="provision a nurse station")
    secret = secrets.token_urlsafe(32)
    existing = accounts.get(username)
    if existing is None:
        accounts.create(username, display_name, [Role.STATION], secret, must_change=False)
    elif existing.roles != [Role.STATION]:
        raise AccountError(f"{username!r} is not a station account")
    else:
        accounts.reset_password(username, secret, must_change=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        if os.name != "nt":
            os.fchmod(out.fileno(), FILE_MODE)  # whatever the umask
        json.dump({"username": username, "secret": secret}, out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


def sign_in_station(accounts: AccountService, path: Path) -> SignedInUser:
    """The station user from its credential file, or ``AccountError`` naming the file and why."""
    try:
        mode = path.stat().st_mode
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AccountError(f"{path}: no station credential file; an administrator provisions one") from None
    except (OSError, ValueError) as exc:
        raise AccountError(f"{path}: cannot be read as a station credential file ({exc})") from None
    if os.name != "nt" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise AccountError(f"{path}: readable by other users of this computer (mode "
                           f"{stat.S_IMODE(mode):o}); make it 600 (chmod 600) or provision the station again")
    if not isinstance(data, dict) or not isinstance(data.get("username"), str) \
            or not isinstance(data.get("secret"), str):
        raise AccountError(f"{path}: should hold a username and a secret")
    user = accounts.authenticate(data["username"], data["secret"])
    if not user.is_station:
        raise AccountError(f"{path}: {user.username} is not a station account")
    return user
