"""The status-bar widgets: data folder, read-only state, quarantine and disk notices, start-up
progress, and the age of the last good backup."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar

from hms_desktop.ui.common.elided_label import ElidedLabel


class ShellStatus:
    """Builds and updates the permanent widgets of the main window's status bar."""

    def __init__(self, bar: QStatusBar, data_dir: Path) -> None:
        self.bar = bar
        self.progress = QProgressBar()
        self.progress.setObjectName("startup_progress")
        self.progress.setAccessibleName("Start-up progress")
        self.progress.setRange(0, 1000)
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(False)
        # QProgressBar.setValue repaints at once (~10 ms here); the writer reports a step per
        # table, dozens in a burst, which froze the window ~0.4 s: the bar takes the latest
        # value at most every 40 ms instead (the step text follows at once, it only schedules).
        self._progress_value = 0
        self._progress_timer = QTimer(bar)
        self._progress_timer.setSingleShot(True)
        self._progress_timer.setInterval(40)
        self._progress_timer.timeout.connect(lambda: self.progress.setValue(self._progress_value))

        self.step_label = _label("startup_step", "Start-up step", "Starting…")

        self.read_only_label = _label(
            "read_only_notice", "Read-only notice",
            "READ-ONLY: another HMS Desktop has this data folder open; nothing can be saved here",
        )
        self.read_only_label.setStyleSheet("color: white; background: #b00020; padding: 0 6px;")
        self.read_only_label.hide()

        self.settings_notice = _label("settings_notice", "Settings problem", "Settings file problem")
        self.settings_notice.setStyleSheet("color: #8a5300;")
        self.settings_notice.hide()

        self.disk_notice = _label("disk_notice", "Disk space warning", "")
        self.disk_notice.setStyleSheet("color: #b00020; font-weight: bold;")
        self.disk_notice.hide()

        self.quarantine_button = QPushButton()
        self.quarantine_button.setObjectName("quarantine_notice")
        self.quarantine_button.setAccessibleName("Quarantine notice")
        self.quarantine_button.setFlat(True)
        self.quarantine_button.setStyleSheet("color: #8a5300; font-weight: bold;")
        self.quarantine_button.hide()

        self.backup_button = QPushButton("")
        self.backup_button.setObjectName("backup_status")
        self.backup_button.setAccessibleName("Backup status")
        self.backup_button.setFlat(True)
        self.backup_button.setToolTip("Back up now")
        self.backup_button.hide()

        # A deep folder path is text the user chose: elided, whole in the tooltip.
        self.folder_label = ElidedLabel(f"Data: {data_dir}")
        self.folder_label.setObjectName("data_folder")
        self.folder_label.setAccessibleName("Data folder")

        bar.addWidget(self.step_label)
        bar.addWidget(self.progress)
        for widget in (self.disk_notice, self.settings_notice, self.quarantine_button,
                       self.read_only_label, self.backup_button, self.folder_label):
            bar.addPermanentWidget(widget)

    def show_progress(self, step: str, fraction: float) -> None:
        self.step_label.setText(step)
        self.step_label.show()  # again after start-up: tables load in the background
        self.progress.show()
        self._progress_value = round(max(0.0, min(fraction, 1.0)) * 1000)
        if not self._progress_timer.isActive():
            self._progress_timer.start()

    def loading_finished(self) -> None:
        self.step_label.hide()
        self.progress.hide()

    def show_read_only(self, read_only: bool, reason: str = "") -> None:
        """``reason`` names who holds the folder (user, host, process) so they can be found."""
        if reason:
            self.read_only_label.setText(f"READ-ONLY: {reason}")
        self.read_only_label.setToolTip(reason)
        self.read_only_label.setVisible(read_only)

    def show_quarantine(self, count: int) -> None:
        self.quarantine_button.setText(f"⚠ {count} row(s) quarantined — show")
        self.quarantine_button.setVisible(count > 0)

    def show_backup(self, text: str, warning: bool) -> None:
        """Age of the last good backup; a warning (no backup for 2 days, a failed one) in red."""
        self.backup_button.setText(text)
        self.backup_button.setStyleSheet("color: #b00020; font-weight: bold;" if warning else "")
        self.backup_button.setVisible(bool(text))

    def show_disk_problem(self, problem: str) -> None:
        """Low free space, or a checkpoint that failed (saves are still safe in the journal)."""
        self.disk_notice.setText("⚠ Low disk space" if problem.startswith("Low disk") else "⚠ Disk problem")
        self.disk_notice.setToolTip(problem)
        self.disk_notice.setVisible(bool(problem))

    def show_settings_problem(self, problem: str) -> None:
        self.settings_notice.setToolTip(problem)
        self.settings_notice.setVisible(bool(problem))


def _label(name: str, accessible: str, text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setAccessibleName(accessible)
    return label

