"""One place that disables every write action of a read-only window, with the reason.

A window that does not hold the data folder (or holds it but cannot write because of a
data problem) must not offer New patient, Edit, Merge, New booking… only to answer "Not
saved" afterwards (issue 11 item 3). Tabs register their write controls with one line,
``ctx.write_guard.register(self.new_button, self.edit_button)``; the guard keeps them
disabled while the window is read-only — even when the tab enables them again for a new
selection — and says why in the tooltip. It can be switched at run time (``set_read_only``),
e.g. when storage finds a problem after start-up.

The same guard disables what the signed-in user's role may not do:
``register(button, needs=Permission.EDIT_RECORD)``; ``set_user(user)`` on sign-in or
switch; the tooltip then names the role needed (docs/security.md). The services refuse such
calls anyway; the guard only stops offering them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QAction, QShortcut
from PySide6.QtWidgets import QWidget

from hms_desktop.domain.accounts import SYSTEM_USER, Permission, SignedInUser, denial_reason

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext

Control = QWidget | QAction | QShortcut
_TIP = "hms_tooltip_before_read_only"
_WANTED = "hms_enabled_before_read_only"
_NEEDS = "hms_needs_permission"
_READS = "hms_not_a_write"  # follows the role only, not read-only state (e.g. Restore…)


class WriteGuard(QObject):
    sig_read_only_changed = Signal(bool, str)
    """The window became read-only (True, reason) or writable again (False, "")."""

    def __init__(self, reason: str = "", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("write_guard")
        self._reason = reason
        self._user = SYSTEM_USER
        self._controls: list[Control] = []

    @property
    def read_only(self) -> bool:
        return bool(self._reason)

    @property
    def reason(self) -> str:
        return self._reason

    def register(self, *controls: Control, needs: Permission | None = None, writes: bool = True) -> None:
        """Keep these controls disabled, with the reason as tooltip, while read-only (unless
        ``writes`` is False) and while the signed-in user lacks ``needs``."""
        for control in controls:
            self._controls.append(control)
            if needs is not None:
                control.setProperty(_NEEDS, needs.value)
            if not writes:
                control.setProperty(_READS, True)
            control.destroyed.connect(lambda *_a, c=control: self._forget(c))
            if isinstance(control, QAction):
                control.changed.connect(lambda c=control: self._enforce(c))
            elif isinstance(control, QWidget):
                control.installEventFilter(self)
            self._enforce(control)

    def set_read_only(self, reason: str) -> None:
        """``reason`` "" makes the window writable again (the tabs re-enable as they see fit)."""
        if reason == self._reason:
            return
        self._reason = reason
        self._refresh()
        self.sig_read_only_changed.emit(bool(reason), reason)

    def set_user(self, user: SignedInUser) -> None:
        """A user signed in or switched: re-check every control that needs a permission."""
        self._user = user
        self._refresh()

    def _refresh(self) -> None:
        for control in list(self._controls):
            if self._reason_for(control):
                self._enforce(control)
            else:
                self._restore(control)

    def _reason_for(self, control: Control) -> str:
        if self._reason and not control.property(_READS):
            return f"Read-only: {self._reason}"
        needs = control.property(_NEEDS)
        if needs and not self._user.may(Permission(needs)):
            return denial_reason(Permission(needs))
        return ""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.EnabledChange and isinstance(watched, QWidget):
            self._enforce(watched)
        return False

    def _enforce(self, control: Control) -> None:
        tip = self._reason_for(control)
        if not tip:
            return
        if not isinstance(control, QShortcut) and control.toolTip() != tip:
            if control.property(_TIP) is None:
                control.setProperty(_TIP, control.toolTip())
            control.setToolTip(tip)
        if control.isEnabled():
            control.setProperty(_WANTED, True)  # what the tab wanted, for set_read_only("")
            control.setEnabled(False)

    def _restore(self, control: Control) -> None:
        if not isinstance(control, QShortcut) and control.property(_TIP) is not None:
            control.setToolTip(str(control.property(_TIP)))
            control.setProperty(_TIP, None)
        if control.property(_WANTED):
            control.setProperty(_WANTED, None)
            control.setEnabled(True)

    def _forget(self, control: Control) -> None:
        if control in self._controls:
            self._controls.remove(control)


def register_writes(ctx: AppContext, *controls: Control) -> None:
    """``ctx.write_guard.register(*controls)``: disabled, with the reason, while read-only."""
    ctx.write_guard.register(*controls)
