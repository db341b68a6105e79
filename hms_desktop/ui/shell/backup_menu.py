"""The File menu's backup actions and the status bar's backup line, for the main window.

Kept out of ``main_window.py`` (which only assembles): the window hands over its File
menu, its status bar helper and how it opens dialogs and folders.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QStatusBar, QWidget

from hms_desktop.domain.accounts import Permission
from hms_desktop.services.backup import BackupPlan, record_restore_test
from hms_desktop.ui.context import AppContext
from hms_desktop.ui.shell.backup_controller import BackupController
from hms_desktop.ui.shell.backup_dialogs import BackupSettingsDialog, RestoreDialog
from hms_desktop.ui.shell.status import ShellStatus


class BackupMenu(QObject):
    """File ▸ Back up now…, Restore…, Backup settings…; the backup age in the status bar."""

    def __init__(self, window: QWidget, menu: QMenu, status: ShellStatus, bar: QStatusBar,
                 open_dialog: Callable[[QWidget], None], open_folder: Callable[[Path | str], None]) -> None:
        super().__init__(window)
        self._window, self._status, self._bar = window, status, bar
        self._open_dialog, self._open_folder = open_dialog, open_folder
        self.controller: BackupController | None = None
        self._back_up_after_setup = False
        self.action_back_up = self._add(menu, "&Back up now…", "back_up_now", self.back_up_now)
        self.action_restore = self._add(menu, "Restore from bac&kup…", "restore", self.restore)
        self.action_settings = self._add(menu, "Backup se&ttings…", "backup_settings", self.edit_settings)
        status.backup_button.clicked.connect(self.back_up_now)

    def _add(self, menu: QMenu, text: str, name: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self._window)
        action.setObjectName(f"action_{name}")
        action.triggered.connect(lambda _=False: slot())
        action.setEnabled(False)
        menu.addAction(action)
        return action

    def attach(self, ctx: AppContext) -> None:
        """The data folder is open: backups can run (unless this window is read-only)."""
        self.controller = BackupController(ctx, self)
        self.controller.sig_plan_changed.connect(self._show_status)
        self.controller.sig_backup_finished.connect(self._finished)
        self.controller.sig_progress_reported.connect(
            lambda step, fraction: self._bar.showMessage(f"Backup: {step} ({fraction:.0%})", 3000))
        writable = not ctx.read_only
        self.action_back_up.setEnabled(writable)
        self.action_settings.setEnabled(writable)
        self.action_restore.setEnabled(True)
        # Only an administrator backs up or restores by hand (the scheduled backup runs whoever
        # is signed in); the tooltip names the role (docs/security.md).
        ctx.write_guard.register(self.action_back_up, self.action_settings, self.action_restore,
                                 needs=Permission.BACKUP_RESTORE, writes=False)
        if not writable:
            self._status.show_backup("Backups: made by the window that has this folder open", False)

    def _show_status(self, _plan: BackupPlan | None = None) -> None:
        if self.controller is not None and self.controller.available:
            self._status.show_backup(*self.controller.status())

    def back_up_now(self) -> None:
        controller = self.controller
        if controller is None or not controller.available or not self._allowed(controller, "back up"):
            return
        if not controller.plan.configured:
            self._back_up_after_setup = True
            self.edit_settings()
            return
        if controller.back_up_now():
            self._bar.showMessage("Backing up… (you can keep working)", 5000)

    def edit_settings(self) -> BackupSettingsDialog | None:
        controller = self.controller
        if controller is None:
            return None
        dialog = BackupSettingsDialog(controller.plan, controller.ctx.data_dir, controller.submit,
                                      self._window)
        dialog.sig_plan_accepted.connect(self._plan_accepted)
        dialog.rejected.connect(lambda: setattr(self, "_back_up_after_setup", False))
        self._open_dialog(dialog)
        return dialog

    def _plan_accepted(self, plan: BackupPlan) -> None:
        if self.controller is None:
            return
        then = self.back_up_now if self._back_up_after_setup else None
        self._back_up_after_setup = False
        self.controller.save_plan(plan, on_done=then)

    def restore(self, backup_file: str = "") -> RestoreDialog | None:
        controller = self.controller
        if controller is None or not self._allowed(controller, "restore"):
            return None
        ctx = controller.ctx
        dialog = RestoreDialog(ctx.data_dir, controller.submit, self._open_folder, self._window,
                               backup_file or controller.plan.last_backup_file)
        if not ctx.read_only:  # a successful restore is the monthly restore test
            dialog.sig_restored.connect(lambda _t: ctx.run(
                record_restore_test, ctx.data_dir, on_done=controller.refresh_plan,
                what="recording the restore test"))
        self._open_dialog(dialog)
        return dialog

    def _allowed(self, controller: BackupController, what: str) -> bool:
        """The service's answer (logged when refused), said in the status bar."""
        try:
            controller.ctx.services.folder.back_up(lambda: None) if what == "back up" else \
                controller.ctx.services.folder.restore(lambda: None)
        except PermissionError as exc:
            self._bar.showMessage(str(exc), 10000)
            return False
        return True

    def _finished(self, ok: bool, message: str) -> None:
        self._bar.showMessage(message, 10000)
        self._show_status()
