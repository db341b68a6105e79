"""How a command acts as a named user: ``--user NAME``, the password from ``HMS_PASSWORD`` or
a prompt, checked by the accounts service exactly as the sign-in screen checks it.

Never a password in an argument: arguments are visible to every user in the process list.
A wrong password counts toward the lock-out (5 in a row lock the account for 5 minutes), a
disabled or locked account is refused, and an account whose password an administrator set
must choose its own in the application first — all before the command touches anything.
From then on every service call is checked against that user's roles and every row written
carries their name in ``updated_by`` (``AccessControl.act_as``).

``demo``, ``check`` and ``verify`` act as the explicit ``system`` actor and take no ``--user``.
"""

from __future__ import annotations

import getpass
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hms_desktop.domain.accounts import SignedInUser
from hms_desktop.services.access_control import AccessControl
from hms_desktop.services.accounts import AccountError
from hms_desktop.services.bus import EventBus
from hms_desktop.services.container import Services, build_services
from hms_desktop.storage import Store

PASSWORD_ENV = "HMS_PASSWORD"


class SignInRefused(Exception):
    """The command did not sign in; the message says why and what to do (never a password)."""


def add_user_option(parser: Any) -> None:
    parser.add_argument("--user", default="", metavar="NAME",
                        help=f"the account doing this (its password from {PASSWORD_ENV} or a prompt, "
                             "never an argument); recorded as who did it")


def read_password(username: str) -> str:
    """``HMS_PASSWORD``, or a prompt on the terminal."""
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    try:
        return getpass.getpass(f"Password for {username}: ")
    except EOFError:
        raise SignInRefused(f"--user {username}: no password given: set {PASSWORD_ENV} or run the "
                            "command on a terminal to be asked") from None


def no_accounts_message(data_dir: Path | str) -> str:
    if str(data_dir).startswith("postgresql"):
        return (f"the clinic on {data_dir} has no accounts yet, so nobody can sign in: its first "
                "administrator is created when a workstation first opens it (python main.py --database …)")
    return (f"{data_dir} has no accounts yet, so nobody can sign in. Create its first administrator "
            f"with: python -m hms_desktop users add USERNAME --name \"Full Name\" --data-dir {data_dir} "
            "(then add other users with --user USERNAME), and run this again with --user")


def sign_in(services: Services, username: str, data_dir: Path | str) -> SignedInUser:
    """Sign ``username`` in on ``services`` (every later call is theirs) or raise
    ``SignInRefused`` naming the user and the reason."""
    accounts = services.accounts
    if not accounts.has_users():
        raise SignInRefused(no_accounts_message(data_dir))
    if not username:
        raise SignInRefused(f"--user: name the account doing this (its password comes from {PASSWORD_ENV} "
                            "or a prompt); the command records who did it")
    password = read_password(username)
    try:
        user = accounts.authenticate(username, password)
    except AccountError as exc:
        raise SignInRefused(f"--user {username}: not signed in: {exc}") from None
    if accounts.must_change_password(user.username):
        raise SignInRefused(f"--user {username}: an administrator set this password; sign in to the "
                            "application once to choose your own, then run this again")
    services.access.act_as(user)
    return user


def signed_in_services(store: Store, username: str) -> Services:
    """The services of an open ``store``, acting as ``username`` (``SignInRefused`` if not)."""
    services = build_services(store, EventBus(), access=AccessControl(store))
    sign_in(services, username, store.data_dir)
    return services


@contextmanager
def signed_in_on_server(url: str, username: str) -> Iterator[Services]:
    """The services of the clinic on the PostgreSQL server ``url``, acting as ``username``, one
    of that clinic's accounts (its users table and access log are on the server)."""
    from hms_desktop.storage.postgres import open_pg_store

    with tempfile.TemporaryDirectory(prefix="hms-command-") as scratch:  # no workstation files
        store: Any = open_pg_store(url, listen=False, data_dir=scratch)  # the Store interface
        try:
            services = build_services(store, EventBus(), access=AccessControl(store))
            sign_in(services, username, url)
            yield services
        finally:
            store.close()


def refused(command: str, exc: BaseException, outcome: str) -> int:
    """Say why the sign-in or the role's permission stopped ``command`` (exit code 1)."""
    print(f"{command}: {str(exc).rstrip('.')}; {outcome}", file=sys.stderr)
    return 1
