"""Accounts for command-line tests: a folder whose users sign in with one known password.

Commands act as ``--user`` with the password from ``HMS_PASSWORD`` (cli/_signin.py); these
helpers give a real folder real accounts through the accounts service.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hms_desktop.domain.accounts import AccessEvent, Role
from hms_desktop.services.access_control import AccessControl
from hms_desktop.services.session import close_session, open_session
from hms_desktop.storage import Store

PASSWORD = "violet lantern across the quiet harbour"
ADMIN = "ada"
#: The demo folder's accounts (services/accounts.py::DEMO_ACCOUNTS): username -> password
DEMO_PASSWORDS = {"reception": "demo reception desk", "nurse": "demo nurse on the ward",
                  "clinician": "demo clinician at work", "admin": "demo administrator desk"}
ROOT = Path(__file__).resolve().parents[1]


def add_accounts(data_dir: Path, **roles: Role) -> None:
    """Give ``data_dir`` its first administrator ``ada`` (if it has none) and one account per
    ``username=role``, all with ``PASSWORD`` and no forced change."""
    session = open_session(data_dir)
    try:
        accounts = session.services.accounts
        if not accounts.has_users():
            accounts.create_first_administrator(ADMIN, "Ada Admin", PASSWORD)
        for username, role in roles.items():
            accounts.create(username, f"Test {role.value}", [role], PASSWORD, must_change=False)
    finally:
        close_session(session)


def run_cli(*argv: str, password: str | None = PASSWORD, timeout: float = 120,
            extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m hms_desktop ARGV`` in a real process, the password in ``HMS_PASSWORD``."""
    env = {k: v for k, v in os.environ.items() if k != "HMS_PASSWORD"}
    env.update({"PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", **(extra_env or {})})
    if password is not None:
        env["HMS_PASSWORD"] = password
    return subprocess.run([sys.executable, "-m", "hms_desktop", *argv], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=ROOT, stdin=subprocess.DEVNULL)


def access_events(folder: Path) -> list[AccessEvent]:
    """The folder's access log of the last day, read back by a fresh store (as after a restart)."""
    store = Store(folder, read_only=True)
    try:
        now = datetime.now(UTC)
        return AccessControl(store).read_log(now - timedelta(days=1), now + timedelta(minutes=1))
    finally:
        store.close()
