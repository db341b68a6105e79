"""Backup and restore of a clinic on the server: the same encrypted file, restored anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hms_desktop.services.backup import BackupPlan, create_key, write_to_plan
from hms_desktop.services.backup.service import snapshot_store
from hms_desktop.services.data_check import check_data
from hms_desktop.services.session import close_session, open_session
from tests.cli_accounts import DEMO_PASSWORDS
from tests.pg_support import fresh_schema, password_in_file
from tests.services.test_pg_transfer import demo_folder, snapshot

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "correct horse battery staple 42"
pytestmark = pytest.mark.postgres


@pytest.fixture
def two_databases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, str]]:
    with fresh_schema() as first, fresh_schema() as second:
        yield password_in_file(first, tmp_path, monkeypatch), password_in_file(second, tmp_path, monkeypatch)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HMS_BACKUP_PASSPHRASE": PASSPHRASE,
           "HMS_PASSWORD": DEMO_PASSWORDS["admin"]}  # migrate --user admin: the demo administrator
    return subprocess.run([sys.executable, "-m", "hms_desktop", *args], cwd=ROOT, text=True,
                          capture_output=True, env=env, timeout=600)


def server_clinic(tmp_path: Path, url: str, patients: int) -> Path:
    """A demo folder moved onto the server at ``url``; returns the folder (for comparing)."""
    clinic = tmp_path / "clinic"
    demo_folder(clinic, patients=patients)
    assert cli("migrate", "--user", "admin", "--from", str(clinic), "--to", url).returncode == 0
    return clinic


def backed_up(tmp_path: Path, url: str) -> Path:
    backup = tmp_path / "server.hmsbak"
    assert cli("backup", "--user", "admin", "--database", url, "--to", str(backup)).returncode == 0
    return backup


def test_a_server_clinic_backs_up_and_restores_onto_another_database_and_into_a_folder(
        tmp_path: Path, two_databases: tuple[str, str]) -> None:
    source, target = two_databases
    clinic = server_clinic(tmp_path, source, patients=20)
    backup = tmp_path / "backups" / "server.hmsbak"
    backup.parent.mkdir()

    made = cli("backup", "--user", "admin", "--database", source, "--to", str(backup))
    assert made.returncode == 0, made.stderr
    assert "encrypted" in made.stdout and backup.read_bytes()[:64].find(b"PAT") < 0
    assert cli("backup", "--verify", str(backup)).returncode == 0

    restored = cli("restore", str(backup), "--to-database", target)
    assert restored.returncode == 0, restored.stderr
    exported = tmp_path / "exported"
    assert cli("export-csv", "--user", "admin", "--from", target, "--to", str(exported)).returncode == 0
    as_folder = tmp_path / "as-folder"
    assert cli("restore", str(backup), "--to", str(as_folder)).returncode == 0
    before = snapshot(clinic)
    for folder in (exported, as_folder):  # every version of every record, every day-file row
        assert check_data(folder).clean
        after = snapshot(folder)
        # The server's access log also says who migrated the clinic there, and the sign-ins of
        # the backup (and of the export from the second database).
        added = [(e["action"], e["detail"]) for e in after["access"][len(before["access"]):]]
        assert added[0] == ("exported", f"whole clinic migrated from {clinic.resolve()}")
        assert added[1:] == [("signed in", "admin")] * (2 if folder == exported else 1)
        after["access"] = after["access"][:len(before["access"])]
        assert {name: after[name] == before[name] for name in before} == dict.fromkeys(before, True)


def test_restoring_onto_a_database_that_holds_a_clinic_is_refused_and_changes_nothing(
        tmp_path: Path, two_databases: tuple[str, str]) -> None:
    source, _ = two_databases
    server_clinic(tmp_path, source, patients=5)
    backup = backed_up(tmp_path, source)
    session = open_session(tmp_path / "ws", database=source)
    try:
        session.services.patients.table.update(session.services.patients.ids()[0], {"given_name": "Kept"})
    finally:
        close_session(session)

    refused = cli("restore", str(backup), "--to-database", source)
    assert refused.returncode == 1
    assert "already holds records (" in refused.stderr and "new, empty database" in refused.stderr
    session = open_session(tmp_path / "ws", database=source)
    try:
        patients = session.services.patients
        assert patients.table.get(patients.ids()[0]).given_name == "Kept"
    finally:
        close_session(session)


def test_back_up_now_on_a_server_session_writes_the_plan_file(tmp_path: Path,
                                                              two_databases: tuple[str, str]) -> None:
    """What File ▸ Back up now runs (BackupController): snapshot on the writer, then the plan."""
    source, target = two_databases
    session = open_session(tmp_path / "ws", database=source, demo_if_empty=True, demo_patients=8, demo_seed=3)
    try:
        plan = BackupPlan(folder=str(tmp_path / "backups"), key=create_key(PASSPHRASE).to_json())
        shot, counts = snapshot_store(session.store)
        exported_to = shot.data_dir
        with shot:
            result = write_to_plan(shot, plan, counts)
        assert not exported_to.exists()  # the private export is gone with the snapshot
        assert counts["patients"] == 8
    finally:
        close_session(session)
    assert cli("restore", str(result.path), "--to-database", target).returncode == 0
    session = open_session(tmp_path / "ws2", database=target)
    try:
        assert len(session.services.patients.ids()) == 8
    finally:
        close_session(session)


def test_a_damaged_backup_is_refused_before_anything_reaches_the_server(
        tmp_path: Path, two_databases: tuple[str, str]) -> None:
    source, target = two_databases
    server_clinic(tmp_path, source, patients=3)
    backup = backed_up(tmp_path, source)
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0xFF
    backup.write_bytes(bytes(data))

    refused = cli("restore", str(backup), "--to-database", target)
    assert refused.returncode == 1 and "restore:" in refused.stderr
    import psycopg

    with psycopg.connect(target) as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE tablename LIKE '%_versions' "
                            "AND schemaname = current_schema()").fetchone() == (0,)
