"""A demo clinic moved onto the server and back: nothing lost, history included."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hms_desktop.services.data_check import check_data
from hms_desktop.services.session import close_session, open_session
from hms_desktop.services.transfer.versions import folder_versions
from hms_desktop.storage import Store
from hms_desktop.storage.registry import all_day_logs, all_tables
from tests.cli_accounts import DEMO_PASSWORDS
from tests.pg_support import fresh_schema, password_in_file

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.postgres


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with fresh_schema() as url:
        yield password_in_file(url, tmp_path, monkeypatch)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The command in a real process; ``migrate --user admin`` is the demo folder's administrator."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HMS_PASSWORD": DEMO_PASSWORDS["admin"]}
    return subprocess.run([sys.executable, "-m", "hms_desktop", *args], cwd=ROOT, text=True,
                          capture_output=True, env=env, timeout=600)


def demo_folder(folder: Path, patients: int) -> str:
    session = open_session(folder, demo_if_empty=True, demo_patients=patients, demo_seed=7)
    patients_service = session.services.patients
    first = patients_service.ids()[0]
    session.store.table(patients_service.table.spec).update(first, {"medical_history": "=first edit"})
    session.store.table(patients_service.table.spec).update(first, {"medical_history": "second, \"quoted\"\nline"})
    close_session(session)
    return first


def snapshot(folder: Path) -> dict[str, object]:
    """Every version of every record and every day-file row, as the CSV engine reads them."""
    out: dict[str, object] = {}
    with closing(Store(folder, read_only=True)) as store:
        for spec in all_tables():
            versions = folder_versions(folder, spec, store.table(spec))
            out[spec.name] = [(v.op, v.cells[:-1]) for v in versions]
        start = datetime(2000, 1, 1, tzinfo=UTC)
        for kind, model in all_day_logs().items():
            out[kind] = [r.model_dump() for r in store.day_log(kind, model).read(start, start + timedelta(days=20000))]
    return out


BIG = pytest.param(100_000, marks=[pytest.mark.slow, pytest.mark.skipif(
    not os.environ.get("HMS_PG_BIG"), reason="the 100,000-patient round trip takes many minutes: HMS_PG_BIG=1")])


@pytest.mark.parametrize("patients", [25, BIG])
def test_migrate_then_export_round_trips_a_demo_clinic(tmp_path: Path, database: str, patients: int) -> None:
    source, exported = tmp_path / "clinic", tmp_path / "exported"
    edited = demo_folder(source, patients=patients)
    migrated = cli("migrate", "--user", "admin", "--from", str(source), "--to", database)
    assert migrated.returncode == 0, migrated.stderr
    again = cli("migrate", "--user", "admin", "--from", str(source), "--to", database)  # restartable
    assert again.returncode == 0 and " 0 part(s) already done" not in again.stdout, again.stderr
    assert "0 row(s) copied in 0 part(s)" in again.stdout
    back = cli("export-csv", "--user", "admin", "--from", database, "--to", str(exported))
    assert back.returncode == 0, back.stderr
    report = check_data(exported)
    assert report.clean, report.problems
    before, after = snapshot(source), snapshot(exported)
    assert before.keys() == after.keys()
    # The server's access log adds who moved the clinic there, once per run (cli/migrate.py),
    # and the sign-in of the export itself.
    moved = after["access"][len(before["access"]):]
    assert [(e["action"], e["detail"]) for e in moved] == [
        ("exported", f"whole clinic migrated from {source.resolve()}")] * 2 + [("signed in", "admin")]
    after["access"] = after["access"][:len(before["access"])]
    for name in before:
        assert after[name] == before[name], name
    assert sum(len(v) for v in before.values()) > 100  # a real clinic, not an empty one
    # The app opens the exported folder and the edited patient keeps its three versions.
    session = open_session(exported)
    try:
        history = session.services.patients.table.history(edited)
        assert [v.record.medical_history for v in history][-2:] == [
            "=first edit", "second, \"quoted\"\nline"]
    finally:
        close_session(session)


@pytest.mark.slow
def test_migrate_refuses_a_password_on_the_command_line(tmp_path: Path) -> None:
    result = cli("migrate", "--user", "admin", "--from", str(tmp_path), "--to", "postgresql://u:secret@localhost/x")
    assert result.returncode == 1 and "password file" in result.stderr
