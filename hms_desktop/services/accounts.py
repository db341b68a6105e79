"""AccountService: create, disable and reset accounts; sign in with lock-out.

Passwords are hashed with argon2id (``argon2-cffi``). The parameters below were tuned on
this project's 2-core CI-class machine to about 0.2 s per hash (docs/security.md): slow
enough to make guessing a stolen ``users.csv`` expensive, fast enough for sign-in. A
password exists in clear only in the caller's variable: it is never logged, stored,
published on the bus or put in an exception message.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from hms_desktop.domain.accounts import (
    ACTIVE,
    DISABLED,
    SINGLE_FACTOR_MIN_LENGTH,
    Permission,
    Role,
    SignedInUser,
    UserAccount,
    normalise_password,
    password_problems,
)
from hms_desktop.resources import COMMON_PASSWORDS
from hms_desktop.services.access_control import UNRESTRICTED, AccessControl, requires
from hms_desktop.services.bus import Change, EventBus
from hms_desktop.storage import Store, Table
from hms_desktop.storage.accounts import USERS

#: argon2id: 2 passes over 46 MiB, 1 lane (OWASP's second recommended set); ~0.19 s here.
HASHER = PasswordHasher(time_cost=2, memory_cost=46 * 1024, parallelism=1)
MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=5)
#: Demo folders only: one account per role; the sign-in screen shows these, marked demo-only.
DEMO_ACCOUNTS: list[tuple[str, str, Role, str]] = [
    ("reception", "Rita Reception (demo)", Role.RECEPTIONIST, "demo reception desk"),
    ("nurse", "Nina Nurse (demo)", Role.NURSE, "demo nurse on the ward"),
    ("clinician", "Dr Chris Clinician (demo)", Role.CLINICIAN, "demo clinician at work"),
    ("admin", "Ada Admin (demo)", Role.ADMINISTRATOR, "demo administrator desk"),
    ("station", "Nurse station (demo)", Role.STATION, "demo nurse station kiosk"),
]
SIGNED_IN, SIGN_IN_FAILED, LOCKED_OUT = "signed in", "sign-in failed", "locked out"


class AccountError(ValueError):
    """An account change or a sign-in refused, with a message for the user (never a password)."""


class PasswordChangeRequired(AccountError):
    """The password was right but an administrator set it: the user chooses their own first."""

    def __init__(self, username: str) -> None:
        super().__init__("Your password was set by an administrator: choose your own to sign in.")
        self.username = username


def load_common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


class AccountService:
    access: AccessControl = UNRESTRICTED

    def __init__(self, store: Store, bus: EventBus, *,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._table: Table[UserAccount] = store.table(USERS)
        self._bus = bus
        self._now = now
        self._common = load_common_passwords()
        self.min_length = SINGLE_FACTOR_MIN_LENGTH
        self._unsaved: dict[str, dict[str, Any]] = {}  # sign-in attempts a read-only window could not save

    # ---- reading -----------------------------------------------------------------------
    def has_users(self) -> bool:
        return len(self._table) > 0

    def get(self, username: str) -> UserAccount | None:
        return self._table.get(username)

    def must_change_password(self, username: str) -> bool:
        account = self._table.get(username)
        return account is not None and account.must_change_password

    @requires(Permission.MANAGE_USERS, "list users")
    def list_users(self) -> list[UserAccount]:
        return sorted(self._table.all(), key=lambda u: u.id)

    def password_problems(self, password: str, *, username: str = "", display_name: str = "") -> list[str]:
        return password_problems(password, min_length=self.min_length, common=self._common,
                                 context=(username, *display_name.split()))

    # ---- changing ----------------------------------------------------------------------
    def create_first_administrator(self, username: str, display_name: str, password: str) -> UserAccount:
        """The one account anybody may create: the first, in a folder that has none."""
        if self.has_users():
            raise AccountError("this data folder already has accounts: an administrator adds users")
        return self._create(username, display_name, [Role.ADMINISTRATOR], password, must_change=False,
                            created_by=username)

    @requires(Permission.MANAGE_USERS, "add users")
    def create(self, username: str, display_name: str, roles: list[Role], password: str, *,
               registration_number: str = "", must_change: bool = True) -> UserAccount:
        return self._create(username, display_name, roles, password, must_change=must_change,
                            registration_number=registration_number, created_by=self.access.user.username)

    def create_demo_accounts(self, accounts: list[tuple[str, str, Role, str]]) -> None:
        """Demo folders only (the caller checks): one account per role, passwords known."""
        for username, name, role, password in accounts:
            if username not in self._table:
                self._create(username, name, [role], password, must_change=False, created_by="system",
                             check=False)

    def _create(self, username: str, display_name: str, roles: list[Role], password: str, *,
                must_change: bool, created_by: str, registration_number: str = "", check: bool = True) -> UserAccount:
        if username in self._table:
            raise AccountError(f"the username {username!r} is taken")
        if check:
            self._check_password(password, username, display_name)
        account = UserAccount(id=username, display_name=display_name, roles=roles,
                              registration_number=registration_number, password_hash=_hash(password),
                              must_change_password=must_change, created_by=created_by, created_at=self._now())
        saved = self._table.insert(account)
        self._publish(username, "insert")
        return saved

    @requires(Permission.MANAGE_USERS, "disable users")
    def set_status(self, username: str, status: str) -> UserAccount:
        if status not in (ACTIVE, DISABLED):
            raise AccountError(f"status must be {ACTIVE!r} or {DISABLED!r}")
        self._existing(username)
        saved = self._table.update(username, {"status": status, "failed_attempts": 0, "locked_until": None})
        self._publish(username, "update")
        return saved

    @requires(Permission.MANAGE_USERS, "reset passwords")
    def reset_password(self, username: str, password: str, *, must_change: bool = True) -> UserAccount:
        """A new password chosen by an administrator: the user must change it at next sign-in."""
        account = self._existing(username)
        self._check_password(password, username, account.display_name)
        saved = self._table.update(username, {"password_hash": _hash(password), "must_change_password": must_change,
                                              "failed_attempts": 0, "locked_until": None})
        self._publish(username, "update")
        return saved

    def change_own_password(self, username: str, old: str, new: str) -> UserAccount:
        account = self._existing(username)
        if not _verify(account.password_hash, old):
            raise AccountError("the current password is not right")
        self._check_password(new, username, account.display_name)
        saved = self._table.update(username, {"password_hash": _hash(new), "must_change_password": False})
        self._publish(username, "update")
        return saved

    # ---- signing in --------------------------------------------------------------------
    def authenticate(self, username: str, password: str) -> SignedInUser:
        """The user, or ``AccountError`` saying why not. Every failure is counted in the users
        table; the 5th in a row locks the account for 5 minutes (recorded in its history and
        in the access log). A locked account is refused even with the right password."""
        account = self._table.get(username.strip().casefold())
        if account is not None and account.id in self._unsaved:
            account = account.model_copy(update=self._unsaved[account.id])
        now = self._now()
        refused = "wrong username or password"
        if account is None:
            HASHER.hash("timing-equaliser")  # an unknown name takes as long as a wrong password
            self._log(username, SIGN_IN_FAILED, "unknown username")
            raise AccountError(refused)
        if account.status != ACTIVE:
            self._log(username, SIGN_IN_FAILED, "account disabled")
            raise AccountError("this account is disabled; ask an administrator")
        if account.locked_until is not None and now < account.locked_until:
            minutes = max(1, round((account.locked_until - now).total_seconds() / 60))
            self._log(username, SIGN_IN_FAILED, "account locked")
            raise AccountError(f"too many wrong passwords: this account is locked for {minutes} more minute(s)")
        if not _verify(account.password_hash, password):
            failures = account.failed_attempts + 1
            changes: dict[str, Any] = {"failed_attempts": failures}
            if failures >= MAX_FAILURES:
                changes = {"failed_attempts": 0, "locked_until": now + LOCK_FOR}
            self._save_attempt(account.id, changes)
            self._log(account.id, LOCKED_OUT if "locked_until" in changes else SIGN_IN_FAILED,
                      f"wrong password ({failures} in a row)")
            if "locked_until" in changes:
                raise AccountError(f"{MAX_FAILURES} wrong passwords: this account is locked for "
                                   f"{int(LOCK_FOR.total_seconds() // 60)} minutes")
            raise AccountError(refused)
        if account.failed_attempts or account.locked_until is not None or HASHER.check_needs_rehash(
                account.password_hash):
            self._save_attempt(account.id, {"failed_attempts": 0, "locked_until": None,
                                            "password_hash": _hash(password)})
        self._log(account.id, SIGNED_IN, "")
        return account.as_signed_in()

    # ---- helpers -----------------------------------------------------------------------
    def _save_attempt(self, username: str, changes: dict[str, Any]) -> None:
        """Record failures and lock-outs in the users table; a window that only reads the
        folder (another one holds it) counts them in memory instead, so it still locks."""
        if self._table.read_only:
            self._unsaved.setdefault(username, {}).update(
                {k: v for k, v in changes.items() if k != "password_hash"})
            return
        self._unsaved.pop(username, None)
        self._table.update(username, changes)

    def _existing(self, username: str) -> UserAccount:
        account = self._table.get(username)
        if account is None:
            raise AccountError(f"no user named {username!r}")
        return account

    def _check_password(self, password: str, username: str, display_name: str) -> None:
        problems = self.password_problems(password, username=username, display_name=display_name)
        if problems:
            raise AccountError("password refused: " + "; ".join(problems))

    def _log(self, username: str, action: str, detail: str) -> None:
        previous = self.access.user
        self.access.record(action, detail=f"{username}: {detail}".rstrip(": ")
                           if previous.username != username else detail)

    def _publish(self, username: str, op: str) -> None:
        self._bus.publish(Change(table=USERS.name, ids=(username,), op=op))


def _hash(password: str) -> str:
    return HASHER.hash(normalise_password(password))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, normalise_password(password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
