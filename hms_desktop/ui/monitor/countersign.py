"""A nurse or clinician signs in over the nurse-station kiosk for one action.

A station account may watch beds, acknowledge alarms and pause the audio; starting, pausing
or ending monitoring and changing a bed's alarm limits need a nurse or clinician. At a
station such an action opens this small prompt: the nurse's password is checked like a
sign-in (on the background writer, every wrong password counting toward the five-minute
lock-out), the action is performed and saved under her name (``updated_by``, and a
``countersigned`` line in the access log), and the kiosk stays signed in as the station.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.domain.accounts import Permission, SignedInUser, denial_reason
from hms_desktop.ui.common.naming import named
from hms_desktop.ui.shell.account_fields import Submit
from hms_desktop.ui.shell.sign_in import SignInForm

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext
    from hms_desktop.ui.monitor.controller import Countersign

COUNTERSIGNED = "countersigned"


class CountersignDialog(QDialog):
    """The sign-in form (``ui/shell/sign_in.py``: username, password, Enter signs in, the
    check on the writer) for one action; Cancel leaves it undone."""

    def __init__(self, what: str, authenticate: Callable[[str, str], SignedInUser], submit: Submit,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "countersign_dialog", "sign in for this action")
        self.setWindowTitle("Sign in for this action")
        explain = named(QLabel(f"To {what}, a nurse or clinician signs in for this action only. "
                               "The station stays signed in."), "countersign_explain", "why sign in")
        explain.setWordWrap(True)
        self.form = SignInForm(authenticate, submit, self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        for button in buttons.buttons():  # Return signs in; it must never hit Cancel
            if isinstance(button, QPushButton):
                button.setAutoDefault(False)
                named(button, "countersign_cancel", "cancel")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addWidget(self.form)
        layout.addWidget(buttons)
        self.form.username.setFocus()

    def refuse(self, reason: str) -> None:
        self.form.problem.setText(reason[:1].upper() + reason[1:])
        self.form.password.setFocus()


def countersigner(ctx: AppContext) -> Countersign:
    """The controller's hook: ask, check the password like a sign-in, then ``perform_as``."""
    def ask(what: str, action: Callable[[], None]) -> None:
        dialog = CountersignDialog(what, ctx.services.accounts.authenticate, ctx.writer.submit,
                                   QApplication.activeWindow())

        def signed_in(user: SignedInUser) -> None:
            if not user.may(Permission.CONTROL_MONITORING):
                dialog.refuse(f"{user.display_name} may not {what}. {denial_reason(Permission.CONTROL_MONITORING)}.")
            elif ctx.services.accounts.must_change_password(user.username):
                dialog.refuse("choose your own password first: sign in at a workstation once")
            else:
                dialog.accept()
                perform_as(ctx, user, what, action)

        dialog.form.sig_signed_in.connect(signed_in)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
    return ask


def perform_as(ctx: AppContext, user: SignedInUser, what: str, action: Callable[[], None]) -> None:
    """``action`` checked and saved as ``user``; then the session is the station's again.

    The saves ``action`` makes run on the background writer, in order: the switch to ``user``
    is queued there just before them and the switch back just after, so exactly those saves are
    checked and written as ``user``. Switching on this thread instead made the station's own
    saves already queued (a bed's recording) count as the nurse's. The window itself (tabs, the
    controls' permissions) never changes user."""
    access = ctx.services.access
    station = access.user

    def become_user() -> None:
        access.act_as(user)
        access.record(COUNTERSIGNED, detail=f"{what} at the {station.display_name} ({station.username})")

    ctx.run(become_user, what=f"signing in {user.display_name} for {what}")
    try:
        action()
    finally:
        back = ctx.run(access.act_as, station, what=f"signing the station back in after {what}")
        if back.done() and back.exception() is not None:  # the writer has stopped (closing)
            access.act_as(station)
