"""File ▸ Backup settings… and File ▸ Restore…: the two backup dialogs.

Slow work (scrypt key derivation, decrypting and verifying a backup) runs on the backup
thread; each dialog shows what it is doing and never freezes the window.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.services.backup import BackupError, BackupPlan, check_passphrase, create_key
from hms_desktop.services.backup.plan import check_backup_folder
from hms_desktop.services.data_check import check_data
from hms_desktop.storage.postgres import is_database_url
from hms_desktop.storage.postgres.conninfo import describe
from hms_desktop.ui.common.naming import named as _named

LOST_PASSPHRASE = ("Write the passphrase down and keep it safe. A lost passphrase means a lost "
                   "backup: nobody can decrypt it without it. It is never stored on this computer.")



def _error_label(name: str) -> QLabel:
    label = QLabel("")
    _named(label, name, "Problem")
    label.setWordWrap(True)
    label.setStyleSheet("color: #b00020;")
    return label


def _folder_row(edit: QLineEdit, browse: Callable[[], None], name: str) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(edit, 1)
    button = QPushButton("Bro&wse…")
    _named(button, f"{name}_browse", f"Choose {edit.accessibleName().lower()}")
    button.clicked.connect(browse)
    layout.addWidget(button)
    return row


class _Relay(QObject):
    """Carries a finished future from the backup thread to the dialog (queued signal)."""

    sig_done = Signal(object)
    """The work finished: carries the Future."""


def run_in_background(submit: Callable[..., Future[Any]], fn: Callable[..., Any], *args: Any,
                      then: Callable[[Future[Any]], None], owner: QObject) -> None:
    relay = _Relay(owner)
    relay.sig_done.connect(then)
    relay.sig_done.connect(relay.deleteLater)
    submit(fn, *args).add_done_callback(relay.sig_done.emit)


class BackupSettingsDialog(QDialog):
    """Where backups go, how many are kept, when they run, and the passphrase (never stored)."""

    sig_plan_accepted = Signal(object)
    """The user saved a valid plan: carries the BackupPlan (with the sealed key)."""

    def __init__(self, plan: BackupPlan, data_dir: Path, submit: Callable[..., Future[Any]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _named(self, "backup_settings_dialog", "Backup settings")
        self.setWindowTitle("Backup settings")
        self._plan, self._data_dir, self._submit = plan, data_dir, submit
        self.folder_edit = QLineEdit(plan.folder)
        _named(self.folder_edit, "backup_folder", "Backup folder")
        self.folder_edit.setPlaceholderText("a USB disk or a network share, not the data folder")
        self.keep_spin = QSpinBox()
        _named(self.keep_spin, "backup_keep", "Backups kept")
        self.keep_spin.setRange(1, 1000)
        self.keep_spin.setValue(plan.keep)
        self.daily_check = QCheckBox("Back up &every day")
        _named(self.daily_check, "backup_daily", "Back up every day")
        self.daily_check.setChecked(plan.daily)
        self.close_check = QCheckBox("Back up when HMS Desktop c&loses")
        _named(self.close_check, "backup_at_close", "Back up at close")
        self.close_check.setChecked(plan.at_close)
        self.encrypt_check = QCheckBox("E&ncrypt backups (recommended: they hold patient data)")
        _named(self.encrypt_check, "backup_encrypt", "Encrypt backups")
        self.encrypt_check.setChecked(plan.encrypt)
        self.passphrase_edit = QLineEdit()
        _named(self.passphrase_edit, "backup_passphrase", "Passphrase")
        self.confirm_edit = QLineEdit()
        _named(self.confirm_edit, "backup_passphrase_again", "Passphrase again")
        for edit in (self.passphrase_edit, self.confirm_edit):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        if plan.key is not None:
            self.passphrase_edit.setPlaceholderText("leave empty to keep the current passphrase")
        self.warning = QLabel(LOST_PASSPHRASE)
        _named(self.warning, "backup_passphrase_warning", "Lost passphrase warning")
        self.warning.setWordWrap(True)
        self.error_label = _error_label("backup_settings_error")

        form = QFormLayout()
        form.addRow("Backup &folder:", _folder_row(self.folder_edit, self._browse, "backup_folder"))
        form.addRow("&Keep the newest:", self.keep_spin)
        form.addRow("", self.daily_check)
        form.addRow("", self.close_check)
        form.addRow("", self.encrypt_check)
        form.addRow("&Passphrase:", self.passphrase_edit)
        form.addRow("Passphrase a&gain:", self.confirm_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        _named(self.buttons.button(QDialogButtonBox.StandardButton.Save), "backup_settings_save", "Save")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.warning)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Backup folder", self.folder_edit.text())
        if folder:
            self.folder_edit.setText(folder)

    def save(self) -> None:
        folder = self.folder_edit.text().strip()
        passphrase, again = self.passphrase_edit.text(), self.confirm_edit.text()
        encrypt = self.encrypt_check.isChecked()
        try:
            if not folder:
                raise BackupError("choose a backup folder")
            check_backup_folder(Path(folder), self._data_dir)
            new_key = encrypt and (bool(passphrase) or self._plan.key is None)
            if new_key:
                check_passphrase(passphrase)
                if passphrase != again:
                    raise BackupError("the two passphrases differ")
        except BackupError as exc:
            self.error_label.setText(str(exc))
            return
        plan = self._plan.model_copy(update={
            "folder": folder, "keep": self.keep_spin.value(), "daily": self.daily_check.isChecked(),
            "at_close": self.close_check.isChecked(), "encrypt": encrypt,
            "set_up_at": self._plan.set_up_at or datetime.now(UTC)})
        if not new_key:
            self._accept(plan)
            return
        self.error_label.setText("Preparing the encryption key…")
        self.buttons.setEnabled(False)
        run_in_background(self._submit, create_key, passphrase, owner=self,
                          then=lambda future: self._accept(plan.model_copy(
                              update={"key": future.result().to_json()})))

    def _accept(self, plan: BackupPlan) -> None:
        self.passphrase_edit.clear()
        self.confirm_edit.clear()
        self.sig_plan_accepted.emit(plan)
        self.accept()


class RestoreDialog(QDialog):
    """Verify a backup completely, restore it into a new folder (or an empty database on a
    PostgreSQL server: ``postgresql://…`` as the target), check it, offer to open it."""

    sig_restored = Signal(str)
    """A backup was restored and checked clean: carries the new folder."""

    def __init__(self, data_dir: Path, submit: Callable[..., Future[Any]],
                 open_folder: Callable[[Path | str], None], parent: QWidget | None = None,
                 backup_file: str = "") -> None:
        super().__init__(parent)
        _named(self, "restore_dialog", "Restore a backup")
        self.setWindowTitle("Restore a backup")
        self._submit, self._open_folder = submit, open_folder
        self.restored: Path | str | None = None  # a folder, or a server's address
        self.file_edit = QLineEdit(backup_file)
        _named(self.file_edit, "restore_file", "Backup file")
        self.passphrase_edit = QLineEdit()
        _named(self.passphrase_edit, "restore_passphrase", "Passphrase")
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        stamp = datetime.now().strftime("%Y%m%d-%H%M")
        self.target_edit = QLineEdit(str(data_dir.with_name(f"{data_dir.name}-restored-{stamp}")))
        _named(self.target_edit, "restore_target", "Restore into folder")
        self.target_edit.setToolTip("A new folder, or an empty database on the clinic server: "
                                    "postgresql://user@host/database (docs/postgresql.md)")
        self.result_label = QLabel("Every file is checked against its SHA-256 before anything is written. "
                                   "The backup goes into a new folder (or an empty server database, "
                                   "postgresql://…); the current one is not touched.")
        _named(self.result_label, "restore_result", "Restore result")
        self.result_label.setWordWrap(True)
        self.restore_button = QPushButton("&Restore")
        _named(self.restore_button, "restore_start", "Restore")
        self.restore_button.clicked.connect(self.start)
        self.open_button = QPushButton("&Open the restored folder")
        _named(self.open_button, "restore_open", "Open the restored folder")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self._open)
        close = QPushButton("C&lose")
        _named(close, "restore_close", "Close")
        close.clicked.connect(self.reject)

        form = QFormLayout()
        form.addRow("Backup &file:", _folder_row(self.file_edit, self._browse, "restore_file"))
        form.addRow("&Passphrase:", self.passphrase_edit)
        form.addRow("Restore &into:", self.target_edit)
        buttons = QHBoxLayout()
        for button in (self.restore_button, self.open_button, close):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.result_label)
        layout.addLayout(buttons)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Backup file", self.file_edit.text(),
                                              "HMS Desktop backups (*.hmsbak *.zip)")
        if path:
            self.file_edit.setText(path)

    def start(self) -> None:
        source, typed = Path(self.file_edit.text().strip()), self.target_edit.text().strip()
        target: Path | str = typed if is_database_url(typed) else Path(typed)
        self.restore_button.setEnabled(False)
        self.result_label.setText("Verifying and restoring…")
        work = _restore_to_server if isinstance(target, str) else _restore_and_check
        run_in_background(self._submit, work, source, target, self.passphrase_edit.text(),
                          owner=self, then=self._finished)

    def _finished(self, future: Future[Any]) -> None:
        self.restore_button.setEnabled(True)
        self.passphrase_edit.clear()
        exc = future.exception()
        if exc is not None:
            self.result_label.setText(f"Not restored: {exc}" if isinstance(exc, BackupError)
                                      else f"Not restored: {type(exc).__name__}: {exc}")
            return
        target, problems = future.result()
        if isinstance(target, str):
            self.result_label.setText(f"Restored into the server database {describe(target)}: {problems[0]}. "
                                      "Open it to work there.")
            self.open_button.setText("&Open the restored clinic")
            self.sig_restored.emit(target)  # checked before it was copied: a restore test too
        elif problems:
            self.result_label.setText(f"Restored into {target}, but the check found "
                                      f"{len(problems)} problem(s):\n" + "\n".join(problems[:5]))
        else:
            self.result_label.setText(f"Restored into {target}. Every file matched its checksum and "
                                      "the check found no problems.")
            self.sig_restored.emit(str(target))
        self.restored = target
        self.open_button.setEnabled(True)

    def _open(self) -> None:
        if self.restored is not None:
            self._open_folder(self.restored)
            self.accept()


def _restore_to_server(source: Path, url: str, passphrase: str) -> tuple[str, list[str]]:
    from hms_desktop.services.backup.server import restore_to_server
    from hms_desktop.storage.postgres.conninfo import ConnectionSettingsError, check_database_url

    try:
        check_database_url(url)
    except ConnectionSettingsError as exc:
        raise BackupError(str(exc)) from None
    copied = restore_to_server(source, url, passphrase or None)
    return url, [f"{sum(copied.values()):,} row(s) in {len(copied)} part(s), read back and compared"]


def _restore_and_check(source: Path, target: Path, passphrase: str) -> tuple[Path, list[str]]:
    from hms_desktop.services.backup import restore_backup

    result = restore_backup(source, target, passphrase or None)
    return result.target, check_data(result.target).problems
