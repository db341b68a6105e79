"""``backup``, ``backup --verify`` and ``restore`` as a clinic runs them: real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hms_desktop.services.session import close_session, open_session
from hms_desktop.storage import Store
from tests.cli_accounts import DEMO_PASSWORDS, access_events

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, passphrase: str | None = "a long passphrase",
         password: str = DEMO_PASSWORDS["admin"]) -> subprocess.CompletedProcess[str]:
    """The command in a real process; a backup signs in as the demo administrator."""
    if args[0] == "backup" and "--verify" not in args and "--user" not in args:
        args = (*args, "--user", "admin")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", "HMS_PASSWORD": password}
    env.pop("HMS_BACKUP_PASSPHRASE", None)
    if passphrase is not None:
        env["HMS_BACKUP_PASSPHRASE"] = passphrase
    return subprocess.run([sys.executable, "-m", "hms_desktop", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("cli") / "clinic data"
    close_session(open_session(data, demo_if_empty=True, demo_patients=25, demo_seed=9))
    return data


@pytest.mark.slow
def test_backup_verify_restore_round_trip(folder: Path, tmp_path: Path) -> None:
    backup = tmp_path / "monday.hmsbak"
    made = _run("backup", "--data-dir", str(folder), "--to", str(backup))
    assert made.returncode == 0, made.stderr
    assert "encrypted" in made.stdout and backup.is_file()
    verified = _run("backup", "--verify", str(backup))
    assert verified.returncode == 0, verified.stderr
    assert "is intact" in verified.stdout and " file(s), made " in verified.stdout
    restored = _run("restore", str(backup), "--to", str(tmp_path / "restored"))
    assert restored.returncode == 0, restored.stderr
    assert "OK:" in restored.stdout and "patients: 25 row(s)" in restored.stdout


@pytest.mark.slow
def test_wrong_passphrase_and_damage_are_refused_with_a_clear_message(folder: Path, tmp_path: Path) -> None:
    backup = tmp_path / "b.hmsbak"
    assert _run("backup", "--data-dir", str(folder), "--to", str(backup)).returncode == 0
    wrong = _run("restore", str(backup), "--to", str(tmp_path / "r"), passphrase="another passphrase")
    assert wrong.returncode == 1 and "wrong passphrase" in wrong.stderr
    assert "Traceback" not in wrong.stderr and not (tmp_path / "r").exists()
    data = bytearray(backup.read_bytes())
    data[len(data) // 3] ^= 0x40
    backup.write_bytes(bytes(data))
    damaged = _run("backup", "--verify", str(backup))
    assert damaged.returncode == 1 and "is damaged at byte" in damaged.stderr


@pytest.mark.slow
def test_no_encrypt_only_by_choice_and_a_short_passphrase_is_refused(folder: Path, tmp_path: Path) -> None:
    short = _run("backup", "--data-dir", str(folder), "--to", str(tmp_path / "x.hmsbak"), passphrase="abc")
    assert short.returncode == 1 and "at least 8 characters" in short.stderr
    plain = _run("backup", "--data-dir", str(folder), "--to", str(tmp_path), "--no-encrypt", passphrase=None)
    assert plain.returncode == 0 and "NOT encrypted" in plain.stdout
    assert [p.suffix for p in tmp_path.glob("hms-backup-*")] == [".zip"]


@pytest.mark.slow
def test_backup_refuses_a_folder_open_in_a_running_app(folder: Path, tmp_path: Path) -> None:
    store = Store(folder)
    try:
        refused = _run("backup", "--data-dir", str(folder), "--to", str(tmp_path / "b.hmsbak"))
    finally:
        store.close()
    assert refused.returncode == 1
    assert "open for writing by" in refused.stderr and "Back up now" in refused.stderr


@pytest.mark.slow
def test_backup_is_the_signed_in_administrators_and_refused_to_others(folder: Path, tmp_path: Path) -> None:
    backup = tmp_path / "b.hmsbak"
    made = _run("backup", "--data-dir", str(folder), "--to", str(backup))
    assert made.returncode == 0, made.stderr
    assert [(e.user, e.detail) for e in access_events(folder) if e.action == "exported"][-1] == (
        "admin", f"backup of the whole folder to {backup} (encrypted)")
    nurse = _run("backup", "--data-dir", str(folder), "--to", str(tmp_path / "n.hmsbak"), "--user", "nurse",
                 password=DEMO_PASSWORDS["nurse"])
    assert nurse.returncode == 1 and "Nina Nurse (demo) (nurse) may not back up" in nurse.stderr
    wrong = _run("backup", "--data-dir", str(folder), "--to", str(tmp_path / "w.hmsbak"),
                 password="not the admin password")
    assert wrong.returncode == 1 and "--user admin: not signed in: wrong username or password" in wrong.stderr
    assert not (tmp_path / "n.hmsbak").exists() and not (tmp_path / "w.hmsbak").exists()
