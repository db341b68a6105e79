"""Backup and restore of a data folder (issue 16): consistent snapshots, encrypted files,
verification before anything is written. Qt-free; the window and the command line use it."""

from .archive import (
    BackupResult,
    RestoreResult,
    VerifiedBackup,
    is_encrypted,
    restore_backup,
    verified_backup,
)
from .crypto import BackupError, BackupKey, check_passphrase, create_key, passphrase_matches
from .plan import BackupPlan, backup_due, backup_status, load_plan, restore_test_due, save_plan
from .service import (
    record_outcome,
    record_restore_test,
    snapshot_store,
    write_backup_file,
    write_to_plan,
)

__all__ = [
    "BackupError", "BackupKey", "BackupPlan", "BackupResult", "RestoreResult", "VerifiedBackup",
    "backup_due", "backup_status", "check_passphrase", "create_key", "is_encrypted", "load_plan",
    "passphrase_matches", "record_outcome", "record_restore_test", "restore_backup", "restore_test_due",
    "save_plan", "snapshot_store", "verified_backup", "write_backup_file", "write_to_plan",
]
