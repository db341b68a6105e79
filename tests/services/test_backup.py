"""Backups are consistent while the app writes, and a damaged one is never restored.

Real folders, real files, the real background writer; every restored folder is reopened
and checked the way ``python -m hms_desktop check`` does.
"""

from __future__ import annotations

import random
import sys
import threading
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hms_desktop.services.backup import (
    BackupError,
    BackupPlan,
    archive,
    backup_status,
    create_key,
    restore_backup,
    snapshot_store,
    verified_backup,
    write_backup_file,
    write_to_plan,
)
from hms_desktop.services.backup.plan import load_plan, save_plan
from hms_desktop.services.backup.service import rotate
from hms_desktop.services.container import build_services
from hms_desktop.services.data_check import check_data
from hms_desktop.services.demo.patients import fake_patients
from hms_desktop.services.session import close_session, open_session
from hms_desktop.services.writer import BackgroundWriter
from hms_desktop.storage import Store
from hms_desktop.storage.registry import all_tables

PASSPHRASE = "correct horse battery"
FAST_SCRYPT = 1 << 14  # the format stores the cost; tests need not pay the production one


@pytest.fixture(scope="module")
def key():  # type: ignore[no-untyped-def]
    return create_key(PASSPHRASE, scrypt_n=FAST_SCRYPT)


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "data"
    close_session(open_session(folder, demo_if_empty=True, demo_patients=40, demo_seed=3))
    return folder


def _back_up(folder: Path, target: Path, key: object) -> Path:
    store = Store(folder)
    try:
        snapshot, counts = snapshot_store(store)
        with snapshot:
            return write_backup_file(snapshot, target, key, counts).path  # type: ignore[arg-type]
    finally:
        store.close()


def _files(folder: Path) -> dict[str, bytes]:
    """Every data file (not the lock, not the rows cache: derived, left out of backups)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(".lock") and p.relative_to(folder).parts[0] != ".cache"}


@pytest.mark.slow
def test_an_encrypted_backup_restores_every_byte_and_checks_clean(demo_folder: Path, tmp_path: Path,
                                                                   key: object) -> None:
    backup = _back_up(demo_folder, tmp_path / "b.hmsbak", key)
    assert b"Patient" not in backup.read_bytes() and b"PAT0000" not in backup.read_bytes()
    result = restore_backup(backup, tmp_path / "restored", PASSPHRASE)
    assert _files(result.target) == _files(demo_folder)
    # Patient data restored for the owner only (POSIX), whatever the umask.
    assert all(p.stat().st_mode & 0o077 == 0 for p in [result.target, *result.target.rglob("*")])
    report = check_data(result.target)
    assert report.clean, report.problems
    assert report.counts["patients"] == 40


def test_an_unencrypted_backup_is_a_plain_zip_only_by_choice(demo_folder: Path, tmp_path: Path) -> None:
    backup = _back_up(demo_folder, tmp_path / "b.zip", None)
    with zipfile.ZipFile(backup) as archive:
        assert "data/patients.csv" in archive.namelist()
    assert _files(restore_backup(backup, tmp_path / "r").target) == _files(demo_folder)


def test_backup_while_a_writer_registers_patients(tmp_path: Path, key: object) -> None:
    """Every write acknowledged before the snapshot point is in the backup; none after it."""
    folder = tmp_path / "data"
    store = Store(folder)
    services = build_services(store)
    writer = BackgroundWriter()
    rng = random.Random(5)
    acknowledged: list[str] = []
    stop = threading.Event()

    def register_continuously() -> None:
        while not stop.is_set():
            batch = fake_patients(rng, 1)
            saved = writer.submit(services.patients.register_many, batch, check_phones=False).result()
            acknowledged.extend(p.id for p in saved)

    thread = threading.Thread(target=register_continuously, name="registrar")
    thread.start()
    try:
        while len(acknowledged) < 50:
            threading.Event().wait(0.01)
        before_snapshot = list(acknowledged)  # all acknowledged before the job was queued
        snapshot, counts = writer.submit(snapshot_store, store).result()
        with snapshot:
            write_backup_file(snapshot, tmp_path / "b.hmsbak", key, counts)  # type: ignore[arg-type]
        while len(acknowledged) < counts["patients"] + 20:  # writes went on during the backup
            threading.Event().wait(0.01)
    finally:
        stop.set()
        thread.join()
        writer.shutdown()
        store.close()
    restored = restore_backup(tmp_path / "b.hmsbak", tmp_path / "restored", PASSPHRASE).target
    report = check_data(restored)
    assert report.clean, report.problems
    reopened = Store(restored, read_only=True)
    patients = reopened.table(next(s for s in all_tables() if s.name == "patients"))
    assert set(before_snapshot) <= set(patients.ids())
    assert len(patients) == counts["patients"] == len(set(acknowledged[: counts["patients"]]))
    assert set(patients.ids()) == set(acknowledged[: counts["patients"]])
    reopened.close()


def _corrupt_cases(backup: Path) -> dict[str, bytes]:
    data = backup.read_bytes()
    middle = len(data) // 2
    return {
        "flipped byte": data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1:],
        "truncated": data[: len(data) - 100],
        "cut in half": data[:middle],
    }


@pytest.mark.parametrize("case", ["flipped byte", "truncated", "cut in half"])
@pytest.mark.parametrize("encrypted", [True, False])
def test_a_damaged_backup_is_refused_and_nothing_restored(demo_folder: Path, tmp_path: Path,
                                                          key: object, case: str, encrypted: bool) -> None:
    backup = _back_up(demo_folder, tmp_path / ("b.hmsbak" if encrypted else "b.zip"),
                      key if encrypted else None)
    damaged = tmp_path / f"damaged{backup.suffix}"
    damaged.write_bytes(_corrupt_cases(backup)[case])
    target = tmp_path / "out" / "restored"
    with pytest.raises(BackupError) as refused:
        restore_backup(damaged, target, PASSPHRASE)
    message = str(refused.value)
    assert str(damaged) in message
    assert any(word in message for word in ("damaged", "incomplete", "checksum")), message
    assert not target.exists()
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_wrong_passphrase_is_refused_and_nothing_restored(demo_folder: Path, tmp_path: Path,
                                                            key: object) -> None:
    backup = _back_up(demo_folder, tmp_path / "b.hmsbak", key)
    with pytest.raises(BackupError, match="wrong passphrase"):
        restore_backup(backup, tmp_path / "restored", "not the passphrase")
    assert not (tmp_path / "restored").exists()
    with pytest.raises(BackupError, match="encrypted: its passphrase is needed"):
        restore_backup(backup, tmp_path / "restored", None)


def test_a_file_whose_checksum_does_not_match_its_manifest_is_named(demo_folder: Path, tmp_path: Path) -> None:
    """A well-formed, resealed zip whose content differs from the manifest (edited by hand)."""
    backup = _back_up(demo_folder, tmp_path / "b.zip", None)
    edited = tmp_path / "edited.zip"
    with zipfile.ZipFile(backup) as src, zipfile.ZipFile(edited, "w") as out:
        for item in src.infolist():
            data = src.read(item)
            out.writestr(item, data.replace(b"PAT000001", b"PAT000999") if item.filename ==
                         "data/patients.csv" else data)
        out.comment = archive.SEAL_PREFIX + b"0" * 64
    archive._seal(edited)
    with pytest.raises(BackupError, match="patients.csv does not match its checksum"):
        restore_backup(edited, tmp_path / "restored")
    assert not (tmp_path / "restored").exists()


@pytest.mark.parametrize("name", ["../evil.csv", "/etc/passwd", "C:/x.csv", "a\\..\\b.csv"])
def test_names_that_would_escape_the_restore_folder_are_refused(tmp_path: Path, name: str) -> None:
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as out:
        out.comment = archive.SEAL_PREFIX + b"0" * 64
        out.writestr("data/x.csv", b"")
        out.writestr("backup-manifest.json", '{"format": "hms-desktop-backup", "files": '
                     f'[{{"name": {name!r}, "size": 0, "sha256": ""}}]}}'.replace("'", '"')
                     .replace("\\", "\\\\"))
    archive._seal(evil)
    with pytest.raises(BackupError, match="unsafe file name"):
        restore_backup(evil, tmp_path / "restored")
    assert not (tmp_path / "restored").exists()


def test_restore_never_overwrites_a_folder_unless_asked_and_keeps_a_copy(demo_folder: Path, tmp_path: Path,
                                                                         key: object) -> None:
    backup = _back_up(demo_folder, tmp_path / "b.hmsbak", key)
    live = tmp_path / "live"
    live.mkdir()
    (live / "patients.csv").write_text("what was here\n")
    with pytest.raises(BackupError, match="not empty"):
        restore_backup(backup, live, PASSPHRASE)
    assert (live / "patients.csv").read_text() == "what was here\n"
    result = restore_backup(backup, live, PASSPHRASE, replace=True)
    assert result.kept_copy is not None and (result.kept_copy / "patients.csv").read_text() == "what was here\n"
    assert _files(live) == _files(demo_folder)


def test_a_folder_open_in_a_running_app_is_not_replaced(demo_folder: Path, tmp_path: Path, key: object) -> None:
    backup = _back_up(demo_folder, tmp_path / "b.hmsbak", key)
    live = tmp_path / "live"
    store = Store(live)
    (live / "x.csv").write_text("x\n")
    with pytest.raises(BackupError, match="cannot be replaced: .* is open for writing"):
        restore_backup(backup, live, PASSPHRASE, replace=True)
    store.close()
    assert (live / "x.csv").exists() and not list(tmp_path.glob("live-before-restore-*"))


def test_windows_snapshot_copies_files_so_checkpoints_can_rename(demo_folder: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 key: object) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    backup = _back_up(demo_folder, tmp_path / "b.hmsbak", key)
    monkeypatch.undo()
    with verified_backup(backup, PASSPHRASE) as opened:
        assert {f["name"] for f in opened.files} == set(_files(demo_folder))


def test_the_plan_keeps_the_newest_n_backups_and_nothing_else(demo_folder: Path, tmp_path: Path,
                                                              key: object) -> None:
    folder = tmp_path / "usb"
    folder.mkdir()
    (folder / "holiday photo.jpg").write_bytes(b"x")
    plan = BackupPlan(folder=str(folder), keep=2, key=key.to_json())  # type: ignore[attr-defined]
    store = Store(demo_folder)
    try:
        for n in range(4):
            snapshot, counts = snapshot_store(store)
            with snapshot:
                write_to_plan(snapshot, plan, counts, now=datetime(2026, 12, 1, 9, 0, n))
    finally:
        store.close()
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["hms-backup-20261201-090002.hmsbak", "hms-backup-20261201-090003.hmsbak",
                     "holiday photo.jpg"]
    assert rotate(folder, 2) == []


def test_backups_inside_the_data_folder_are_refused(demo_folder: Path, key: object) -> None:
    plan = BackupPlan(folder=str(demo_folder / "backups"), key=key.to_json())  # type: ignore[attr-defined]
    store = Store(demo_folder)
    try:
        snapshot, counts = snapshot_store(store)
        with snapshot, pytest.raises(BackupError, match="inside the data folder"):
            write_to_plan(snapshot, plan, counts)
    finally:
        store.close()


def test_status_says_the_age_of_the_last_good_backup_and_warns_after_two_days(tmp_path: Path) -> None:
    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    plan = BackupPlan(folder=str(tmp_path), encrypt=False, last_backup_at=now - timedelta(hours=5),
                      last_restore_test_at=now - timedelta(days=3))
    assert backup_status(plan, now) == ("Last backup 5 h ago", False)
    text, warn = backup_status(plan.model_copy(update={"last_backup_at": now - timedelta(days=2, hours=1)}), now)
    assert warn and text.startswith("⚠ No backup for 2 days")
    text, warn = backup_status(plan.model_copy(update={"last_restore_test_at": now - timedelta(days=31)}), now)
    assert "time to test a restore" in text
    assert backup_status(BackupPlan(), now)[1]  # never set up: a warning
    save_plan(tmp_path, plan)
    assert load_plan(tmp_path) == plan
    assert PASSPHRASE not in (tmp_path / "backup.json").read_text()
