"""Backing up a data folder: the snapshot on the writer, the file off it, the N newest kept.

The sequence the app (and the command line) follows:

1. ``snapshot_store(store)`` on the single background writer: no write can interleave,
   so the snapshot holds every write acknowledged before it and none after it.
2. ``write_to_plan(...)`` on any other thread: compress, checksum, encrypt, rotate.
3. ``record_outcome(...)`` on the writer: the plan file says when the last good backup was.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hms_desktop.storage.snapshot import Snapshot, take_snapshot

from .archive import ENCRYPTED_SUFFIX, PLAIN_SUFFIX, BackupResult, ProgressFn, write_backup
from .crypto import BackupError, BackupKey
from .plan import BackupPlan, check_backup_folder, load_plan, save_plan
from .server import is_server_store, snapshot_server

UPGRADE_BACKUPS = "backups-before-upgrade"  # inside the data folder; see upgrade.py
BACKUP_NAME = re.compile(r"^hms-backup-\d{8}-\d{6}(-\d+)?\.(hmsbak|zip)$")


def snapshot_store(store: Any) -> tuple[Snapshot, dict[str, int]]:
    """Run on the writer: the folder's files now, with the rows each open table holds.

    A clinic on a PostgreSQL server is exported through the backend into the same kind of
    folder first (``server.py`` explains why rather than ``pg_dump``).
    """
    if is_server_store(store):
        return snapshot_server(store.conninfo)
    counts = {table.spec.name: len(table) for table in store.tables()}
    # Backups made before an upgrade stay out: each would double every later backup.
    chain = getattr(store, "audit_chain", None)
    if chain is None:
        return take_snapshot(store.data_dir, exclude=(UPGRADE_BACKUPS,)), counts
    with chain.lock:  # no line is half-way between its audit entry and its file (a day-file thread)
        return take_snapshot(store.data_dir, exclude=(UPGRADE_BACKUPS,)), counts


def backup_file_name(now: datetime, encrypted: bool, folder: Path) -> Path:
    stem = f"hms-backup-{now:%Y%m%d-%H%M%S}"
    suffix = ENCRYPTED_SUFFIX if encrypted else PLAIN_SUFFIX
    path, n = folder / f"{stem}{suffix}", 1
    while path.exists():  # two backups in one second (close right after Back up now)
        path, n = folder / f"{stem}-{n}{suffix}", n + 1
    return path


def write_backup_file(snapshot: Snapshot, target: Path, key: BackupKey | None, counts: dict[str, int],
                      progress: ProgressFn | None = None) -> BackupResult:
    info = {"rows": counts}
    return write_backup(snapshot, target, key=key, info=info, progress=progress)


def write_to_plan(snapshot: Snapshot, plan: BackupPlan, counts: dict[str, int], *,
                  progress: ProgressFn | None = None, now: datetime | None = None) -> BackupResult:
    """Write a backup into the plan's folder and delete the oldest beyond ``plan.keep``."""
    if not plan.configured:
        raise BackupError("backups are not set up yet: choose a folder (and a passphrase)")
    folder = Path(plan.folder)
    check_backup_folder(folder, snapshot.data_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"the backup folder {folder} cannot be used ({exc.strerror or exc}); "
                          "is the USB disk or network share connected?") from None
    target = backup_file_name(now or datetime.now(), plan.encrypt, folder)
    try:
        result = write_backup_file(snapshot, target, plan.backup_key(), counts, progress)
    except OSError as exc:
        raise BackupError(f"could not write {target}: {exc.strerror or exc}") from None
    rotate(folder, plan.keep)
    return result


def rotate(folder: Path, keep: int) -> list[Path]:
    """Delete this program's oldest backups in ``folder`` beyond ``keep``; nothing else is touched."""
    ours = sorted((p for p in Path(folder).iterdir() if BACKUP_NAME.match(p.name)),
                  key=lambda p: (p.stat().st_mtime, p.name))
    removed = ours[: max(len(ours) - keep, 0)]
    for path in removed:
        path.unlink()
    return removed


def record_outcome(data_dir: Path, result: BackupResult | None, error: str = "",
                   now: datetime | None = None) -> BackupPlan:
    """Run on the writer (the plan file is part of the data folder)."""
    plan = load_plan(data_dir)
    if result is not None:
        plan = plan.model_copy(update={"last_backup_at": now or datetime.now(UTC),
                                       "last_backup_file": str(result.path), "last_error": ""})
    else:
        plan = plan.model_copy(update={"last_error": error})
    save_plan(data_dir, plan)
    return plan


def record_restore_test(data_dir: Path, now: datetime | None = None) -> BackupPlan:
    plan = load_plan(data_dir).model_copy(update={"last_restore_test_at": now or datetime.now(UTC)})
    save_plan(data_dir, plan)
    return plan
