"""Emergency access ("break the glass"): a reason, then read-only access to one patient's
record for this sign-in, flagged in the access log and listed for administrators
(``services/access_control.py::AccessControl.break_glass``; docs/security.md)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.services.access_control import MIN_REASON
from hms_desktop.ui.shell.account_fields import problem_line


class EmergencyAccessDialog(QDialog):
    def __init__(self, patient_text: str, grant: Callable[[str], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emergency_access")
        self.setAccessibleName("Emergency access")
        self.setWindowTitle("Emergency access — HMS Desktop")
        self._grant = grant
        intro = QLabel(f"Your role does not include this patient's record ({patient_text}). In an "
                       "emergency you may read it after saying why. The access is recorded with your "
                       "reason, shown to administrators, and ends when you sign out or lock the screen "
                       "for another user. You cannot change the record this way.")
        intro.setWordWrap(True)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("emergency_reason")
        self.reason.setAccessibleName("reason for emergency access")
        self.reason.setTabChangesFocus(True)
        self.problem = problem_line("emergency_problem", "emergency access problem")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.open_button = buttons.addButton("&Open the record", QDialogButtonBox.ButtonRole.AcceptRole)
        self.open_button.setObjectName("emergency_open")
        self.open_button.setAccessibleName("open the record under emergency access")
        buttons.accepted.connect(self._open)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.reason)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def _open(self) -> None:
        reason = self.reason.toPlainText().strip()
        if len(reason) < MIN_REASON:
            self.problem.setText(f"Say why you need the record (at least {MIN_REASON} characters).")
            return
        try:
            self._grant(reason)
        except (PermissionError, ValueError) as exc:
            self.problem.setText(str(exc))
            return
        self.accept()
