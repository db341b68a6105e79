"""The ``ics`` command writes a parseable calendar and fails clearly on bad input."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from icalendar import Calendar

from hms_desktop.cli import ics
from hms_desktop.domain.accounts import Role
from hms_desktop.services.scheduling import SchedulingService
from hms_desktop.storage import Store
from tests.cli_accounts import PASSWORD, access_events, add_accounts, run_cli
from tests.schedule_support import draft, local

pytest_plugins = ["tests.schedule_fixtures"]


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    ics.add_command(parser.add_subparsers())
    args = parser.parse_args(["ics", *argv])
    return int(args.func(args))


def _closed_with_a_receptionist(store: Store, monkeypatch: pytest.MonkeyPatch) -> str:
    """The app closes the folder; a receptionist (*view schedule*) runs the command."""
    store.close()
    add_accounts(store.data_dir, rita=Role.RECEPTIONIST)
    monkeypatch.setenv("HMS_PASSWORD", PASSWORD)
    return "rita"


def test_exports_provider_to_file_as_the_signed_in_user(service: SchedulingService, store: Store, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    saved = service.book(draft(local(2026, 3, 2, 9)))
    out = tmp_path / "doc.ics"
    user = _closed_with_a_receptionist(store, monkeypatch)
    assert run("--data-dir", str(store.data_dir), "--provider", "DOC000001", "--out", str(out), "--user", user) == 0
    uids = [str(e["uid"]) for e in Calendar.from_ical(out.read_bytes()).walk("VEVENT")]
    assert uids == [f"{saved.id}@hms-desktop"]
    assert [(e.user, e.action) for e in access_events(store.data_dir)][-1] == ("rita", "exported")


def test_refused_while_the_app_holds_the_folder(service: SchedulingService, store: Store, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    service.book(draft(local(2026, 3, 2, 9)))
    out = tmp_path / "doc.ics"
    assert run("--data-dir", str(store.data_dir), "--provider", "DOC000001", "--out", str(out)) == 2
    assert "close it first" in capsys.readouterr().err and not out.exists()


def test_a_role_without_view_schedule_is_refused(service: SchedulingService, store: Store, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    store.close()
    add_accounts(store.data_dir, kiosk=Role.STATION)
    monkeypatch.setenv("HMS_PASSWORD", PASSWORD)
    out = tmp_path / "doc.ics"
    assert run("--data-dir", str(store.data_dir), "--provider", "DOC000001", "--out", str(out),
               "--user", "kiosk") == 1
    assert "(kiosk) may not" in capsys.readouterr().err and not out.exists()


def test_unknown_provider_exit_code_and_message(service: SchedulingService, store: Store,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    user = _closed_with_a_receptionist(store, monkeypatch)
    assert run("--data-dir", str(store.data_dir), "--provider", "DOC999999", "--user", user) == 1
    assert "provider DOC999999 does not exist" in capsys.readouterr().err


def test_needs_provider_or_patient(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        run("--data-dir", str(tmp_path))


@pytest.mark.slow
def test_real_command_line(service: SchedulingService, store: Store, tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    service.book(draft(local(2026, 3, 2, 9)))
    out = tmp_path / "pat.ics"
    user = _closed_with_a_receptionist(store, monkeypatch)
    done = run_cli("ics", "--data-dir", str(store.data_dir), "--patient", "PAT000001", "--out", str(out),
                   "--user", user)
    assert done.returncode == 0, done.stderr
    assert len(Calendar.from_ical(out.read_bytes()).walk("VEVENT")) == 1
