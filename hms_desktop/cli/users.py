"""``python -m hms_desktop users add|disable|enable|reset-password|list|provision-station --data-dir DIR``.

The command acts as a named administrator (``--user``; their password from
``HMS_PASSWORD`` or a prompt). In a folder with no accounts yet, ``add`` creates the first
administrator and needs no ``--user``. New passwords come from ``HMS_NEW_PASSWORD`` or a
prompt, never from an argument (arguments are visible to every user in the process list).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from hms_desktop.cli._signin import PASSWORD_ENV, SignInRefused, add_user_option, sign_in
from hms_desktop.domain.accounts import DISABLED, Role
from hms_desktop.services.accounts import AccountError
from hms_desktop.services.session import Session, close_session, open_session
from hms_desktop.services.station_credentials import provision_station

NEW_PASSWORD_ENV = "HMS_NEW_PASSWORD"


def add_command(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "users", help="add, disable or list the accounts of a data folder",
        description="Manages accounts as an administrator (--user; password from "
                    f"{PASSWORD_ENV} or a prompt). New passwords come from {NEW_PASSWORD_ENV} or a prompt.")
    actions = parser.add_subparsers(dest="action", metavar="<action>", required=True)
    add = actions.add_parser("add", help="add an account (the first one is the administrator)")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="display name, e.g. 'Dr Ann Smith'")
    add.add_argument("--role", action="append", choices=[r.value for r in Role], default=None,
                     help="a role (repeat for several); the first account is an administrator")
    add.add_argument("--registration", default="", help="professional registration number")
    for name, text in (("disable", "disable an account"), ("enable", "enable an account again"),
                       ("reset-password", "set a new password the user must change")):
        sub = actions.add_parser(name, help=text)
        sub.add_argument("username")
    actions.add_parser("list", help="list the accounts (never a password or its hash)")
    station = actions.add_parser("provision-station", help="create a nurse-station kiosk account and "
                                 "write its credential file (0600) for --station-credentials")
    station.add_argument("username")
    station.add_argument("--name", required=True, help="display name, e.g. 'Ward 3 nurse station'")
    station.add_argument("--credentials", type=Path, required=True,
                         help="where to write the credential file (the kiosk OS user's own folder)")
    for sub in actions.choices.values():
        sub.add_argument("--data-dir", type=Path, required=True, help="the data folder")
        add_user_option(sub)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    session = open_session(args.data_dir)
    try:
        if session.read_only:
            print(f"{args.data_dir}: {session.store.read_only_reason}; nothing changed", file=sys.stderr)
            return 2
        return _run(session, args)
    except (AccountError, PermissionError, SignInRefused) as exc:
        print(f"users {args.action}: {exc}", file=sys.stderr)
        return 1
    finally:
        close_session(session)


def _run(session: Session, args: argparse.Namespace) -> int:
    accounts = session.services.accounts
    if args.action == "add" and not accounts.has_users():
        password = _new_password(args.username)
        accounts.create_first_administrator(args.username, args.name, password)
        print(f"{args.username}: the first administrator of {args.data_dir}")
        return 0
    sign_in(session.services, args.user, args.data_dir)
    if args.action == "add":
        roles = [Role(r) for r in (args.role or [])]
        if not roles:
            print("--role: give at least one role", file=sys.stderr)
            return 1
        accounts.create(args.username, args.name, roles, _new_password(args.username),
                        registration_number=args.registration)
        print(f"{args.username}: added ({', '.join(roles)}); they choose a new password at first sign-in")
    elif args.action in ("disable", "enable"):
        accounts.set_status(args.username, DISABLED if args.action == "disable" else "active")
        print(f"{args.username}: {args.action}d")
    elif args.action == "provision-station":
        provision_station(accounts, args.username, args.name, args.credentials)
        print(f"{args.username}: station account ready; start the kiosk with "
              f"--station --station-credentials {args.credentials}")
    elif args.action == "reset-password":
        accounts.reset_password(args.username, _new_password(args.username))
        print(f"{args.username}: password reset; they choose a new one at next sign-in")
    else:
        for user in accounts.list_users():
            flags = " (must change password)" if user.must_change_password else ""
            print(f"{user.id}\t{user.display_name}\t{','.join(user.roles)}\t{user.status}"
                  f"\t{user.registration_number}{flags}")
    return 0


def _new_password(username: str) -> str:
    if os.environ.get(NEW_PASSWORD_ENV):
        return os.environ[NEW_PASSWORD_ENV]
    first = getpass.getpass(f"New password for {username} (15+ characters; a passphrase is best): ")
    if getpass.getpass("Type it again: ") != first:
        raise AccountError("the two passwords differ")
    return first
