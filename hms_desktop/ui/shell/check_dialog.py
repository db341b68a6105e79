"""File ▸ Check data: runs ``python -m hms_desktop check`` in a separate process.

A separate process reads the folder exactly as the command line does (one code path for
both), never blocks the window, and cannot disturb this instance's lock on the folder.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QProcess
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

import hms_desktop


class CheckDialog(QDialog):
    """Shows the check's output as it arrives and whether the folder is clean."""

    def __init__(self, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("check_dialog")
        self.setAccessibleName("Check data")
        self.setWindowTitle("Check data")
        self.resize(760, 420)

        self.status_label = QLabel(f"Checking {data_dir}…")
        self.status_label.setObjectName("check_status")
        self.status_label.setAccessibleName("Check result")
        self.output = QPlainTextEdit()
        self.output.setObjectName("check_output")
        self.output.setAccessibleName("Check output")
        self.output.setReadOnly(True)
        self.output.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.setObjectName("check_buttons")
        buttons.setAccessibleName("Close check")
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.status_label)
        layout.addWidget(self.output)
        layout.addWidget(buttons)

        self.exit_code: int | None = None
        self.process = QProcess(self)
        self.process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        self.process.readyReadStandardOutput.connect(self._read_output)
        self.process.finished.connect(self._finished)
        self.process.errorOccurred.connect(self._failed_to_start)
        # Run from the folder that holds the package, so it is importable even uninstalled.
        self.process.setWorkingDirectory(str(Path(hms_desktop.__file__).resolve().parent.parent))
        self.process.start(
            sys.executable, ["-m", "hms_desktop", "check", "--data-dir", str(data_dir)]
        )

    def _read_output(self) -> None:
        data = bytes(self.process.readAllStandardOutput().data()).decode("utf-8", "replace")
        self.output.insertPlainText(data)

    def _finished(self, code: int, _status: QProcess.ExitStatus) -> None:
        self._read_output()
        self.exit_code = code
        self.status_label.setText(
            "The data folder is clean." if code == 0
            else "Problems found: see the list below (each as file:line: reason)."
        )

    def _failed_to_start(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self.exit_code = -1
            self.status_label.setText(f"The check could not start: {self.process.errorString()}")

    def done(self, result: int) -> None:
        """Closing the dialog stops a check still running; no orphan process."""
        if self.process.state() != QProcess.ProcessState.NotRunning:
            self.process.kill()
            self.process.waitForFinished(2000)
        super().done(result)
