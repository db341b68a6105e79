"""Accounts on a real folder: passwords never in clear, lock-out, password rules, the CLI."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hms_desktop.__main__ import main
from hms_desktop.domain.accounts import (
    LOWEST_MIN_LENGTH,
    Role,
    min_length_warning,
    password_problems,
)
from hms_desktop.services.access_control import AccessControl
from hms_desktop.services.accounts import AccountError, AccountService, load_common_passwords
from hms_desktop.services.bus import EventBus
from hms_desktop.storage import Store
from hms_desktop.storage.accounts import USERS

ADMIN_PASSWORD = "correct staple horse battery 42"
NURSE_PASSWORD = "night shift on ward seven"


class FakeNow:
    def __init__(self) -> None:
        self.at = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def clock() -> FakeNow:
    return FakeNow()


@pytest.fixture
def accounts(data_dir: Path, clock: FakeNow) -> Iterator[AccountService]:
    store = Store(data_dir)
    service = AccountService(store, EventBus(), now=clock)
    service.create_first_administrator("admin", "Ada Admin", ADMIN_PASSWORD)
    service.access = AccessControl(store, user=service.authenticate("admin", ADMIN_PASSWORD))
    service.create("nurse.kim", "Kim Lee", [Role.NURSE], NURSE_PASSWORD, registration_number="NMC 12A")
    yield service
    store.close()


def test_no_password_is_stored_in_clear_and_the_users_file_is_private(accounts: AccountService,
                                                                      data_dir: Path) -> None:
    accounts.reset_password("nurse.kim", "a brand new passphrase for kim")
    with pytest.raises(AccountError) as refused:
        accounts.authenticate("nurse.kim", "a wrong guess that is long")
    for path in data_dir.rglob("*"):
        if path.is_file():
            raw = path.read_bytes()
            for secret in (ADMIN_PASSWORD, NURSE_PASSWORD, "a brand new passphrase", "a wrong guess"):
                assert secret.encode() not in raw, f"{path.name} holds a password in clear"
    assert "wrong guess" not in str(refused.value)
    for name in ("users.csv", "users.journal.csv"):
        if (data_dir / name).exists():
            assert stat.S_IMODE((data_dir / name).stat().st_mode) == 0o600
    saved = accounts.get("nurse.kim")
    assert saved is not None and saved.password_hash.startswith("$argon2id$")
    assert saved.must_change_password and saved.registration_number == "NMC 12A"
    assert saved.created_by == "admin"


@pytest.mark.slow
def test_five_wrong_passwords_lock_the_account_and_the_right_one_waits(
        accounts: AccountService, clock: FakeNow, data_dir: Path) -> None:
    for _ in range(4):
        with pytest.raises(AccountError, match="wrong username or password"):
            accounts.authenticate("nurse.kim", "not the password at all")
    with pytest.raises(AccountError, match="locked for 5 minutes"):
        accounts.authenticate("nurse.kim", "not the password at all")
    with pytest.raises(AccountError, match="locked"):
        accounts.authenticate("nurse.kim", NURSE_PASSWORD)  # the 6th, right, is refused
    clock.at += timedelta(minutes=4, seconds=59)
    with pytest.raises(AccountError, match="locked"):
        accounts.authenticate("nurse.kim", NURSE_PASSWORD)
    clock.at += timedelta(seconds=2)
    user = accounts.authenticate("nurse.kim", NURSE_PASSWORD)
    assert user.username == "nurse.kim" and user.roles == {Role.NURSE}
    # The lock-out is recorded: reopen and read the users table's history.
    store = Store(data_dir, read_only=True)
    history = store.table(USERS).history("nurse.kim")
    assert any(v.record.locked_until is not None for v in history)
    store.close()


def test_disabled_and_unknown_users_are_refused(accounts: AccountService) -> None:
    accounts.set_status("nurse.kim", "disabled")
    with pytest.raises(AccountError, match="disabled"):
        accounts.authenticate("nurse.kim", NURSE_PASSWORD)
    with pytest.raises(AccountError, match="wrong username or password"):
        accounts.authenticate("nobody", NURSE_PASSWORD)
    with pytest.raises(AccountError, match="already has accounts"):
        accounts.create_first_administrator("eve", "Eve", "a long enough passphrase here")


@pytest.mark.parametrize(("password", "reason"), [
    ("short phrase", "at least 15"),
    ("passwordpassword", "most common"),
    ("Password1234", "at least 15"),
    ("aaaaaaaaaaaaaaa", "repeated or consecutive"),
    ("kimlee kimlee 1", "your name"),
])
def test_password_rules_refuse_short_common_and_personal(password: str, reason: str) -> None:
    problems = password_problems(password, common=load_common_passwords(), context=("kim", "lee"))
    assert any(reason in p for p in problems), problems


def test_a_passphrase_without_digits_or_symbols_is_accepted() -> None:
    assert password_problems("tulips along the canal", common=load_common_passwords()) == []


def test_the_minimum_may_be_lowered_to_8_with_a_warning_never_below() -> None:
    assert "below the 15" in min_length_warning(LOWEST_MIN_LENGTH)
    assert min_length_warning(15) == ""
    with pytest.raises(ValueError, match="below 8"):
        min_length_warning(7)
    assert password_problems("tulipcanal", min_length=8) == []


@pytest.mark.slow
def test_users_command_adds_the_first_admin_then_acts_as_a_named_admin(
        data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HMS_NEW_PASSWORD", ADMIN_PASSWORD)
    assert main(["users", "add", "boss", "--name", "Ada Admin", "--data-dir", str(data_dir)]) == 0
    monkeypatch.setenv("HMS_NEW_PASSWORD", NURSE_PASSWORD)
    assert main(["users", "add", "kim", "--name", "Kim Lee", "--role", "nurse", "--data-dir", str(data_dir)]) == 1
    assert "--user" in capsys.readouterr().err
    monkeypatch.setenv("HMS_PASSWORD", ADMIN_PASSWORD)
    assert main(["users", "add", "kim", "--name", "Kim Lee", "--role", "nurse", "--user", "boss",
                 "--data-dir", str(data_dir)]) == 0
    assert main(["users", "disable", "kim", "--user", "boss", "--data-dir", str(data_dir)]) == 0
    capsys.readouterr()
    assert main(["users", "list", "--user", "boss", "--data-dir", str(data_dir)]) == 0
    listing = capsys.readouterr().out
    assert "kim\tKim Lee\tnurse\tdisabled" in listing and "boss\tAda Admin\tadministrator\tactive" in listing
    assert "argon2" not in listing
    monkeypatch.setenv("HMS_PASSWORD", "wrong password for the boss")
    assert main(["users", "list", "--user", "boss", "--data-dir", str(data_dir)]) == 1
    assert "wrong username or password" in capsys.readouterr().err
    store = Store(data_dir, read_only=True)
    assert store.table(USERS).history("kim")[-1].by == "boss"  # the change is the admin's
    store.close()
    everything = b"".join(p.read_bytes() for p in data_dir.rglob("*") if p.is_file())
    assert ADMIN_PASSWORD.encode() not in everything and NURSE_PASSWORD.encode() not in everything


@pytest.mark.slow
def test_a_user_replaces_the_password_an_administrator_set(accounts: AccountService) -> None:
    assert accounts.get("nurse.kim").must_change_password  # type: ignore[union-attr]
    with pytest.raises(AccountError, match="current password"):
        accounts.change_own_password("nurse.kim", "not the current one", "my own long passphrase now")
    with pytest.raises(AccountError, match="at least 15"):
        accounts.change_own_password("nurse.kim", NURSE_PASSWORD, "too short")
    accounts.change_own_password("nurse.kim", NURSE_PASSWORD, "my own long passphrase now")
    assert not accounts.get("nurse.kim").must_change_password  # type: ignore[union-attr]
    assert accounts.authenticate("nurse.kim", "my own long passphrase now").username == "nurse.kim"
    with pytest.raises(AccountError):
        accounts.authenticate("nurse.kim", NURSE_PASSWORD)


@pytest.mark.slow
def test_a_read_only_window_signs_in_and_still_locks_after_five_failures(
        accounts: AccountService, data_dir: Path, clock: FakeNow) -> None:
    second = Store(data_dir)  # the first window holds the folder: this one only reads
    assert second.read_only
    try:
        window = AccountService(second, EventBus(), now=clock)
        assert window.authenticate("nurse.kim", NURSE_PASSWORD).username == "nurse.kim"
        for _ in range(5):
            with pytest.raises(AccountError):
                window.authenticate("nurse.kim", "a wrong password again")
        with pytest.raises(AccountError, match="locked"):
            window.authenticate("nurse.kim", NURSE_PASSWORD)
    finally:
        second.close()
