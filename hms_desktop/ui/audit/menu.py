"""View ▸ Audit log…: enabled for administrators only, the reason in the tooltip otherwise.

Re-checked each time the menu opens, so it follows a sign-in or a switch of user.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from hms_desktop.domain.accounts import Permission, denial_reason
from hms_desktop.ui.context import AppContext

from .viewer import AuditViewerDialog


class AuditMenu:
    def __init__(self, parent: QWidget, menu: QMenu, open_dialog: Callable[[QWidget], None]) -> None:
        self._parent = parent
        self._open_dialog = open_dialog
        self._ctx: AppContext | None = None
        self.action = QAction("&Audit log…", parent)
        self.action.setObjectName("action_audit_log")
        self.action.setShortcut(QKeySequence("Ctrl+Shift+A"))
        self.action.setEnabled(False)
        self.action.triggered.connect(self.show)
        menu.addAction(self.action)
        menu.aboutToShow.connect(self._follow_user)

    def attach(self, ctx: AppContext) -> None:
        self._ctx = ctx
        self._follow_user()

    def _follow_user(self) -> None:
        allowed = self._ctx is not None and self._ctx.may(Permission.VIEW_AUDIT_LOG)
        self.action.setEnabled(allowed)
        self.action.setToolTip("" if allowed else denial_reason(Permission.VIEW_AUDIT_LOG))

    def show(self) -> AuditViewerDialog | None:
        if self._ctx is None:
            return None
        dialog = AuditViewerDialog(self._ctx.services.audit, self._parent)
        self._open_dialog(dialog)
        return dialog
