"""Choosing one's own password: at sign-in after an administrator set it (``users add``,
``reset-password``). The current password is typed again (nothing keeps it from the
sign-in), the new one twice; the rules of docs/security.md apply."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QWidget

from hms_desktop.domain.accounts import SignedInUser
from hms_desktop.ui.shell.account_fields import field, problem_line, refusal_text, run_then_report

#: (username, current password, new password) -> the signed-in user, run on the writer.
Change = Callable[[str, str, str], SignedInUser]


class ChangePasswordDialog(QDialog):
    sig_changed = Signal(object)
    """The new password is saved and the user signed in: carries the SignedInUser."""
    sig_attempt_finished = Signal(object)

    def __init__(self, username: str, change: Change, submit: Callable[..., Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("change_password")
        self.setAccessibleName("Choose your password")
        self.setWindowTitle("Choose your password — HMS Desktop")
        self._username, self._change, self._submit = username, change, submit
        intro = QLabel(f"{username}: your password was set by an administrator. Choose your own — "
                       "a passphrase of at least 15 characters is best.")
        intro.setWordWrap(True)
        self.current = field("current password", secret=True)
        self.new = field("new password", secret=True)
        self.repeat = field("repeat the new password", secret=True)
        self.problem = problem_line("change_password_problem", "change password problem")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.addButton("&Save and sign in", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("change_password_save")
        self.save_button.setAccessibleName("save the new password")
        self.save_button.setDefault(True)
        buttons.accepted.connect(self._attempt)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(intro)
        form.addRow("&Current password", self.current)
        form.addRow("&New password", self.new)
        form.addRow("&Repeat", self.repeat)
        form.addRow(self.problem)
        form.addRow(buttons)
        self.sig_attempt_finished.connect(self._finished)

    def _attempt(self) -> None:
        if self.new.text() != self.repeat.text():
            self.problem.setText("The two new passwords differ; type them again.")
            self.new.clear()
            self.repeat.clear()
            return
        current, new = self.current.text(), self.new.text()
        for secret in (self.current, self.new, self.repeat):
            secret.clear()
        self.save_button.setEnabled(False)
        self.problem.setText("Saving…")
        run_then_report(self._submit, self._change, self._username, current, new, to=self.sig_attempt_finished)

    def _finished(self, outcome: object) -> None:
        self.save_button.setEnabled(True)
        if isinstance(outcome, SignedInUser):
            self.sig_changed.emit(outcome)
            self.done(QDialog.DialogCode.Accepted)
            return
        self.problem.setText(refusal_text(outcome, "Not saved"))
