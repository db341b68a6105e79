"""How a clinic backs up (``<data folder>/backup.json``) and when it last did.

The plan travels with the data folder, so every workstation that opens the folder backs
it up the same way. It holds the public key backups are encrypted to and the private key
sealed by the passphrase (see ``crypto``), never the passphrase itself.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hms_desktop.storage.csvfile import replace_file

from .crypto import BackupError, BackupKey

PLAN_FILE = "backup.json"
BACKUP_WARNING_AGE = timedelta(days=2)
RESTORE_TEST_INTERVAL = timedelta(days=30)
DAILY = timedelta(days=1)


class BackupPlan(BaseModel):
    """Where backups go, how many are kept, when they run, and the state of the last ones."""

    model_config = ConfigDict(extra="ignore")

    folder: str = ""
    keep: int = Field(default=14, ge=1, le=1000)
    daily: bool = True
    at_close: bool = True
    encrypt: bool = True
    key: dict[str, Any] | None = None
    last_backup_at: datetime | None = None
    last_backup_file: str = ""
    last_error: str = ""
    last_restore_test_at: datetime | None = None
    set_up_at: datetime | None = None

    @property
    def configured(self) -> bool:
        return bool(self.folder) and (self.key is not None or not self.encrypt)

    def backup_key(self) -> BackupKey | None:
        if not self.encrypt:
            return None
        if self.key is None:
            raise BackupError("backups are set to be encrypted but no passphrase was set up")
        return BackupKey.from_json(self.key)


def plan_path(data_dir: Path) -> Path:
    return Path(data_dir) / PLAN_FILE


def load_plan(data_dir: Path) -> BackupPlan:
    path = plan_path(data_dir)
    try:
        return BackupPlan.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return BackupPlan()
    except (ValueError, ValidationError, UnicodeDecodeError) as exc:
        raise BackupError(f"{path}: the backup settings are damaged ({exc}); set up backups again") from None


def save_plan(data_dir: Path, plan: BackupPlan) -> None:
    """Atomic: a crash leaves the old plan or the new one."""
    text = json.dumps(plan.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"
    replace_file(plan_path(data_dir), text.encode("utf-8"))


def check_backup_folder(folder: Path, data_dir: Path) -> None:
    """Backups inside the data folder would back themselves up and die with the disk."""
    folder, data_dir = Path(folder).resolve(), Path(data_dir).resolve()
    if folder == data_dir or data_dir in folder.parents:
        raise BackupError(f"{folder} is inside the data folder: choose another disk or a network share")


def backup_due(plan: BackupPlan, now: datetime) -> bool:
    return plan.configured and plan.daily and (
        plan.last_backup_at is None or now - plan.last_backup_at >= DAILY)


def restore_test_due(plan: BackupPlan, now: datetime) -> bool:
    """Monthly (counted from the set-up): a backup nobody ever restored is a hope, not a backup."""
    since = plan.last_restore_test_at or plan.set_up_at
    return plan.configured and plan.last_backup_at is not None and (
        since is None or now - since >= RESTORE_TEST_INTERVAL)


def describe_age(age: timedelta) -> str:
    minutes = int(age.total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min ago"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h ago"
    return f"{hours // 24} days ago"


def backup_status(plan: BackupPlan, now: datetime | None = None) -> tuple[str, bool]:
    """Status-bar text about the last good backup, and whether it is a warning."""
    now = now or datetime.now(UTC)
    if not plan.configured:
        return "No backups set up (File ▸ Back up now…)", True
    failed = f" — the latest attempt failed: {plan.last_error}" if plan.last_error else ""
    if plan.last_backup_at is None:
        return f"No backup yet{failed}", True
    age = now - plan.last_backup_at
    text = f"Last backup {describe_age(age)}{failed}"
    if age >= BACKUP_WARNING_AGE:
        return f"⚠ No backup for {age.days} days — {text}", True
    if restore_test_due(plan, now):
        return f"{text} — time to test a restore (File ▸ Restore from backup…)", bool(plan.last_error)
    return text, bool(plan.last_error)
