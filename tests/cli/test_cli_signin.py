"""Commands act as a signed-in ``--user`` (cli/_signin.py): checked like the sign-in screen,
refused with a message naming the user, recorded in ``updated_by`` and the access log.

Real folders in a temporary directory, read back by a fresh store; the slow tests run the
real ``python -m hms_desktop`` with ``HMS_PASSWORD`` in its environment.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hms_desktop.__main__ import main
from hms_desktop.domain.accounts import Role
from hms_desktop.services.accounts import MAX_FAILURES
from hms_desktop.services.session import close_session, open_session
from hms_desktop.storage import Store
from hms_desktop.storage.accounts import USERS
from hms_desktop.storage.csvfile import read_records
from tests.cli_accounts import PASSWORD, access_events, add_accounts, run_cli

PATIENTS = "Given name;Family name;Date of birth;Sex\r\nAnn;Lee;03/04/1980;F\r\nBo;Chan;25/12/1975;M\r\n"


@pytest.fixture
def clinic(data_dir: Path) -> Path:
    """A folder with an administrator (ada), a receptionist (rita) and a nurse (nina)."""
    add_accounts(data_dir, rita=Role.RECEPTIONIST, nina=Role.NURSE)
    return data_dir


@pytest.fixture
def sheet(tmp_path: Path) -> Path:
    path = tmp_path / "new patients.csv"
    path.write_text(PATIENTS, encoding="utf-8")
    return path


def _import(folder: Path, sheet: Path, *user: str) -> list[str]:
    return ["import", "--data-dir", str(folder), str(sheet), "--date-format", "dd/mm/yyyy", *user]


def _patients(folder: Path) -> list[dict[str, str]]:
    path = folder / "patients.csv"
    if not path.exists():
        return []
    header, records = read_records(path)
    return [dict(zip(header, r.cells, strict=False)) for r in records]


def _failed_attempts(folder: Path, username: str) -> int:
    store = Store(folder, read_only=True)
    try:
        account = store.table(USERS).get(username)
        assert account is not None
        return account.failed_attempts
    finally:
        store.close()


def test_import_is_written_as_the_signed_in_user(clinic: Path, sheet: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HMS_PASSWORD", PASSWORD)
    assert main(_import(clinic, sheet, "--user", "rita")) == 0
    assert [(p["family_name"], p["updated_by"]) for p in _patients(clinic)] == [("Lee", "rita"), ("Chan", "rita")]
    assert ("signed in", "rita") in [(e.action, e.detail) for e in access_events(clinic)]


def test_a_wrong_password_changes_nothing_names_the_user_and_counts(
        clinic: Path, sheet: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HMS_PASSWORD", "not rita's password at all")
    assert main(_import(clinic, sheet, "--user", "rita")) == 1
    assert "import: --user rita: not signed in: wrong username or password; nothing imported" in capsys.readouterr().err
    assert _patients(clinic) == []
    assert _failed_attempts(clinic, "rita") == 1  # toward the lock-out, as at the sign-in screen


def test_a_role_without_the_permission_is_refused_and_the_denial_logged(
        clinic: Path, sheet: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HMS_PASSWORD", PASSWORD)
    assert main(_import(clinic, sheet, "--user", "nina")) == 1
    err = capsys.readouterr().err
    assert "Test nurse (nina) may not register patients" in err and "nothing imported" in err
    assert _patients(clinic) == []
    assert ("nina", "denied") in [(e.user, e.action) for e in access_events(clinic)]


def test_missing_user_and_a_folder_without_accounts_say_what_to_do(
        data_dir: Path, sheet: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_import(data_dir, sheet)) == 1
    assert "has no accounts yet" in (err := capsys.readouterr().err) and "users add USERNAME" in err
    add_accounts(data_dir)
    assert main(_import(data_dir, sheet)) == 1
    assert "--user: name the account doing this" in capsys.readouterr().err
    assert _patients(data_dir) == []


@pytest.mark.slow
def test_disabled_locked_and_must_change_accounts_are_refused(
        clinic: Path, sheet: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    session = open_session(clinic)
    try:
        session.services.accounts.set_status("nina", "disabled")
        session.services.accounts.create("kim", "Kim New", [Role.RECEPTIONIST], PASSWORD)  # must change
    finally:
        close_session(session)
    monkeypatch.setenv("HMS_PASSWORD", PASSWORD)
    assert main(_import(clinic, sheet, "--user", "nina")) == 1
    assert "--user nina: not signed in: this account is disabled" in capsys.readouterr().err
    assert main(_import(clinic, sheet, "--user", "kim")) == 1
    assert "--user kim: an administrator set this password" in capsys.readouterr().err
    monkeypatch.setenv("HMS_PASSWORD", "a guess that is wrong")
    for _ in range(MAX_FAILURES):
        assert main(_import(clinic, sheet, "--user", "rita")) == 1
    monkeypatch.setenv("HMS_PASSWORD", PASSWORD)  # the right one, too late
    assert main(_import(clinic, sheet, "--user", "rita")) == 1
    assert "--user rita: not signed in: too many wrong passwords" in capsys.readouterr().err
    assert _patients(clinic) == []


def test_repair_by_is_gone_and_says_to_use_user(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["repair", "--data-dir", str(data_dir), "--by", "Dr Who", "--yes"]) == 2
    assert "--by is no longer accepted: sign in with --user NAME" in capsys.readouterr().err


def test_migrate_signs_in_before_it_contacts_the_server(
        clinic: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql://clinic-server.invalid/hms?sslmode=verify-full"  # never reached: sign-in refuses first
    assert main(["migrate", "--from", str(clinic), "--to", url]) == 1
    assert "--user: name the account doing this" in capsys.readouterr().err
    monkeypatch.setenv("HMS_PASSWORD", "wrong password for ada")
    assert main(["migrate", "--from", str(clinic), "--to", url, "--user", "ada"]) == 1
    assert "--user ada: not signed in" in capsys.readouterr().err
    monkeypatch.setenv("HMS_PASSWORD", PASSWORD)
    assert main(["migrate", "--from", str(clinic), "--to", url, "--user", "rita"]) == 1
    assert "(rita) may not export the whole clinic" in capsys.readouterr().err


def test_restore_over_a_folder_needs_its_administrator_and_is_logged(
        clinic: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HMS_PASSWORD", PASSWORD)
    backup = tmp_path / "b.zip"
    assert main(["backup", "--data-dir", str(clinic), "--to", str(backup), "--no-encrypt", "--user", "ada"]) == 0
    assert main(["restore", str(backup), "--to", str(clinic), "--replace", "--user", "rita"]) == 1
    assert "(rita) may not restore a backup" in capsys.readouterr().err
    assert not list(tmp_path.glob("*-before-restore-*"))  # nothing moved
    assert main(["restore", str(backup), "--to", str(clinic), "--replace", "--user", "ada"]) == 0
    [kept] = tmp_path.glob("*-before-restore-*")
    assert ("ada", "replaced by a restore") in [(e.user, e.action) for e in access_events(kept)]
    fresh = tmp_path / "new folder"  # a new folder needs no account: nothing there to protect
    monkeypatch.delenv("HMS_PASSWORD")
    assert main(["restore", str(backup), "--to", str(fresh)]) == 0


@pytest.mark.slow
def test_real_processes_sign_in_from_hms_password(clinic: Path, sheet: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(clinic, copy)
    wrong = run_cli(*_import(copy, sheet, "--user", "rita"), password="not the password")
    assert wrong.returncode == 1 and "--user rita: not signed in" in wrong.stderr
    assert "Traceback" not in wrong.stderr and _patients(copy) == []
    missing = run_cli(*_import(copy, sheet))
    assert missing.returncode == 1 and "--user: name the account doing this" in missing.stderr
    nurse = run_cli(*_import(copy, sheet, "--user", "nina"))
    assert nurse.returncode == 1 and "(nina) may not register patients" in nurse.stderr
    done = run_cli(*_import(copy, sheet, "--user", "rita"))
    assert done.returncode == 0, done.stderr
    assert {p["updated_by"] for p in _patients(copy)} == {"rita"}
    assert ("signed in", "rita") in [(e.action, e.detail) for e in access_events(copy)]
    prompt = run_cli(*_import(copy, sheet, "--user", "rita"), password=None)  # no terminal to ask on
    assert prompt.returncode == 1 and "set HMS_PASSWORD or run the command on a terminal" in prompt.stderr


@pytest.mark.slow
def test_demo_rows_are_written_by_the_system_actor(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    assert main(["demo", "--data-dir", str(folder), "--patients", "3", "--seed", "1"]) == 0
    assert {p["updated_by"] for p in _patients(folder)} == {"system"}
