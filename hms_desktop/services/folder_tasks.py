"""Whole-folder operations and who may start them: clinic settings, backup and restore,
and the whole-clinic export (docs/security.md).

These work on files rather than one table, so they have no table service of their own;
this is the one guarded entry point the window (and any script) goes through. The backup
that runs on its schedule is the clinic's, not a person's: it is not refused whoever is
signed in, and is not started through here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from hms_desktop.domain.accounts import Permission
from hms_desktop.domain.clinic_settings import ClinicSettings
from hms_desktop.services.access_control import EXPORTED, UNRESTRICTED, AccessControl, requires
from hms_desktop.services.settings_file import save_settings
from hms_desktop.storage import Store

T = TypeVar("T")


class FolderTasks:
    access: AccessControl = UNRESTRICTED

    def __init__(self, store: Store) -> None:
        self._data_dir = Path(store.data_dir)

    @requires(Permission.CHANGE_SETTINGS, "change clinic settings")
    def save_settings(self, settings: ClinicSettings) -> None:
        save_settings(self._data_dir, settings)

    @requires(Permission.BACKUP_RESTORE, "back up the data folder or change the backup plan")
    def back_up(self, task: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a backup step (snapshot, plan change) for a person who may."""
        return task(*args, **kwargs)

    @requires(Permission.BACKUP_RESTORE, "restore a backup")
    def restore(self, task: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return task(*args, **kwargs)

    @requires(Permission.BACKUP_RESTORE, "repair the data folder")
    def repair(self, task: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Accept a damaged folder as it is now: a restore's alternative, so the same people."""
        return task(*args, **kwargs)

    @requires(Permission.BACKUP_RESTORE, "export the whole clinic")
    def export_clinic(self, task: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """The whole-clinic export (every patient's record): a backup in another format."""
        result = task(*args, **kwargs)
        self.access.record(EXPORTED, detail="whole clinic")
        return result
