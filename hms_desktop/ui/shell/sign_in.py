"""The sign-in form and dialog: username and password, checked on the background writer
(argon2id takes ~0.2 s and a failure is written to the users table), never on the GUI thread.

A demo folder shows its demo accounts and their passwords, marked as demo-only. The
password field is cleared after every attempt and never logged. The form is also the
lock screen's (``lock_screen.py``).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.domain.accounts import SignedInUser
from hms_desktop.ui.shell.account_fields import (
    Submit,
    field,
    problem_line,
    refusal_text,
    run_then_report,
)

__all__ = ["SignInDialog", "SignInForm", "Submit", "demo_list"]


class SignInForm(QWidget):
    """Username, password, a problem line and the Sign in button."""

    sig_attempt_finished = Signal(object)
    """The writer finished an attempt: a SignedInUser or the exception (posted to the GUI thread)."""
    sig_signed_in = Signal(object)
    """A SignedInUser: the password was right."""

    def __init__(self, authenticate: Callable[[str, str], SignedInUser], submit: Submit,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sign_in_form")
        self.setAccessibleName("sign-in form")
        self._authenticate = authenticate
        self._submit = submit
        self.username = field("username")
        self.username.setObjectName("sign_in_username")
        self.password = field("password", secret=True)
        self.password.setObjectName("sign_in_password")
        self.problem = problem_line("sign_in_problem", "sign-in problem")
        self.sign_in_button = QPushButton("&Sign in")
        self.sign_in_button.setObjectName("sign_in_button")
        self.sign_in_button.setAccessibleName("sign in")
        self.sign_in_button.clicked.connect(self.attempt)
        self.username.returnPressed.connect(self.attempt)
        self.password.returnPressed.connect(self.attempt)
        form = QFormLayout(self)
        form.addRow("&Username", self.username)
        form.addRow("&Password", self.password)
        form.addRow(self.problem)
        form.addRow(self.sign_in_button)
        self.sig_attempt_finished.connect(self._finished)

    def attempt(self) -> None:
        username, password = self.username.text().strip(), self.password.text()
        if not username or not password:
            self.problem.setText("Type your username and password.")
            return
        if not self.sign_in_button.isEnabled():
            return  # an attempt is being checked
        self.password.clear()
        self.sign_in_button.setEnabled(False)
        self.problem.setText("Checking…")
        run_then_report(self._submit, self._authenticate, username, password, to=self.sig_attempt_finished)

    def _finished(self, outcome: object) -> None:
        self.sign_in_button.setEnabled(True)
        if isinstance(outcome, SignedInUser):
            self.problem.setText("")
            self.sig_signed_in.emit(outcome)
            return
        self.problem.setText(refusal_text(outcome, "Signing in failed"))
        self.password.setFocus()


class SignInDialog(QDialog):
    def __init__(self, authenticate: Callable[[str, str], SignedInUser], submit: Submit, *,
                 demo_accounts: list[tuple[str, str]] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sign_in")
        self.setAccessibleName("Sign in")
        self.setWindowTitle("Sign in — HMS Desktop")
        self.user: SignedInUser | None = None
        self.form = SignInForm(authenticate, submit, self)
        self.sig_attempt_finished = self.form.sig_attempt_finished
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        for button in buttons.buttons():  # Return signs in; it must never hit Cancel
            if isinstance(button, QPushButton):
                button.setAutoDefault(False)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        if demo_accounts:
            layout.addWidget(demo_list(demo_accounts))
        layout.addWidget(buttons)
        self.form.sig_signed_in.connect(self._signed_in)

    def _signed_in(self, user: SignedInUser) -> None:
        self.user = user
        self.accept()


def demo_list(accounts: list[tuple[str, str]]) -> QLabel:
    rows = "".join(f"<tr><td><b>{name}</b>&nbsp;&nbsp;</td><td>{password}</td></tr>"
                   for name, password in accounts)
    label = QLabel(f"<p><b>Demo data only</b> — these accounts and passwords are public; never use "
                   f"them for real patients.</p><table>{rows}</table>")
    label.setObjectName("sign_in_demo_accounts")
    label.setAccessibleName("demo accounts")
    label.setWordWrap(True)
    return label
