"""The first administrator of an empty data folder: asked before anything else opens.

There is no default account and no default password: whoever sets up the clinic chooses
both here (the password rules of docs/security.md apply). A demo folder never asks; it has
its demo accounts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QWidget

from hms_desktop.domain.accounts import SignedInUser
from hms_desktop.ui.shell.account_fields import field, problem_line, refusal_text, run_then_report

#: (username, display name, password) -> the signed-in administrator, run on the writer.
CreateFirst = Callable[[str, str, str], SignedInUser]


class FirstAdministratorDialog(QDialog):
    sig_created = Signal(object)
    """The administrator exists and is signed in: carries the SignedInUser."""
    sig_attempt_finished = Signal(object)
    """The writer answered: a SignedInUser or the exception."""

    def __init__(self, create: CreateFirst, submit: Callable[..., Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("first_administrator")
        self.setAccessibleName("Create the first administrator")
        self.setWindowTitle("Create the first administrator — HMS Desktop")
        self._create, self._submit = create, submit
        intro = QLabel("This data folder has no accounts yet. Create the administrator who will add "
                       "the clinic's users. Choose a passphrase of at least 15 characters — a few "
                       "words are easy to remember and hard to guess.")
        intro.setWordWrap(True)
        self.username = field("administrator username")
        self.display_name = field("administrator full name")
        self.password = field("new password", secret=True)
        self.repeat = field("repeat the password", secret=True)
        self.problem = problem_line("first_administrator_problem", "first administrator problem")
        buttons = QDialogButtonBox()
        self.create_button = buttons.addButton("&Create and sign in", QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.setObjectName("first_administrator_create")
        self.create_button.setAccessibleName("create administrator")
        self.create_button.setDefault(True)
        buttons.accepted.connect(self._attempt)
        form = QFormLayout(self)
        form.addRow(intro)
        form.addRow("&Username", self.username)
        form.addRow("&Full name", self.display_name)
        form.addRow("&Password", self.password)
        form.addRow("&Repeat password", self.repeat)
        form.addRow(self.problem)
        form.addRow(buttons)
        self.sig_attempt_finished.connect(self._finished)

    def reject(self) -> None:
        """Nothing opens without an administrator: Escape does not skip this question."""
        self.problem.setText("An administrator is needed before the clinic's data can be used; "
                             "close the main window to quit.")

    def _attempt(self) -> None:
        username, name = self.username.text().strip(), self.display_name.text().strip()
        password, repeat = self.password.text(), self.repeat.text()
        if not username or not name or not password:
            self.problem.setText("Fill in the username, full name and password.")
            return
        if password != repeat:
            self.problem.setText("The two passwords differ; type them again.")
            self.password.clear()
            self.repeat.clear()
            return
        self.create_button.setEnabled(False)
        self.problem.setText("Creating…")
        run_then_report(self._submit, self._create, username, name, password, to=self.sig_attempt_finished)

    def _finished(self, outcome: object) -> None:
        self.create_button.setEnabled(True)
        if isinstance(outcome, SignedInUser):
            self.password.clear()
            self.repeat.clear()
            self.sig_created.emit(outcome)
            self.done(QDialog.DialogCode.Accepted)
            return
        self.problem.setText(refusal_text(outcome, "Not created"))
