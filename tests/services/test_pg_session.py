"""Two workstations opened like the app opens them (``open_session(database=...)``)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from hms_desktop.domain.patient import Patient
from hms_desktop.services.scheduling import BookingError
from hms_desktop.services.session import Session, close_session, open_session
from hms_desktop.storage.postgres.conninfo import ConnectionSettingsError
from hms_desktop.storage.scheduling import SCHEDULE_TABLES
from tests.pg_support import fresh_schema, password_in_file
from tests.schedule_support import draft, local, seed

pytestmark = pytest.mark.postgres


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with fresh_schema() as url:
        yield password_in_file(url, tmp_path, monkeypatch)


@pytest.fixture
def desks(database: str, tmp_path: Path) -> Iterator[tuple[Session, Session]]:
    reception = open_session(tmp_path / "reception", database=database)
    consulting = open_session(tmp_path / "consulting", database=database)
    yield reception, consulting
    close_session(reception)
    close_session(consulting)


def test_registered_at_reception_is_found_in_the_consulting_room(desks: tuple[Session, Session]) -> None:
    reception, consulting = desks
    saved = reception.services.patients.register(
        Patient(given_name="Zoë", family_name="Núñez", date_of_birth=date(1984, 3, 7)))
    deadline = time.monotonic() + 5
    while saved.id not in consulting.services.patients.search("nunez") and time.monotonic() < deadline:
        time.sleep(0.02)
    assert consulting.services.patients.search("nunez") == [saved.id]


def test_two_desks_cannot_book_the_same_slot(desks: tuple[Session, Session]) -> None:
    reception, consulting = desks
    reception.services.scheduling.set_clinic_tz("Europe/London")
    consulting.services.scheduling.set_clinic_tz("Europe/London")
    seed(reception.services.scheduling)
    # The consulting room learns of the new providers' hours from the server's notification,
    # as a second desk does; book only once it has (the race is not what this test is about).
    deadline = time.monotonic() + 10
    while (any(len(consulting.store.table(spec)) < len(reception.store.table(spec)) for spec in SCHEDULE_TABLES)
           and time.monotonic() < deadline):
        time.sleep(0.02)
    consulting.services.scheduling.warm_up()
    reception.services.scheduling.warm_up()
    first = consulting.services.scheduling.book(draft(local(2026, 3, 2, 9)))
    with pytest.raises(BookingError, match=f"already booked .*in {first.id}"):
        reception.services.scheduling.book(draft(local(2026, 3, 2, 9, 15), pat="PAT000002"))


def test_a_password_in_the_address_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConnectionSettingsError, match="password file"):
        open_session(tmp_path, database="postgresql://clinic:secret@localhost/hms")


def test_a_remote_server_needs_verified_tls(tmp_path: Path) -> None:
    with pytest.raises(ConnectionSettingsError, match="sslmode=verify-full"):
        open_session(tmp_path, database="postgresql://clinic@db.clinic.lan/hms")


def test_the_app_refuses_a_password_on_its_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    from hms_desktop.app import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args(["--database", "postgresql://reception:secret@localhost/hms"])
    assert "password file" in capsys.readouterr().err
