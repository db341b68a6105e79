"""What the Schedule tab's editing dialogs share: names, the scheduling service, and one
message line where refusals are shown in place (so the context opens no message box)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QLabel, QWidget

from hms_desktop.services.scheduling import SchedulingService
from hms_desktop.ui.schedule.naming import named

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext


class ScheduleDialog(QDialog):
    def __init__(self, ctx: AppContext, name: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, name, title)
        self.setWindowTitle(title)
        self.ctx = ctx
        self.service: SchedulingService = ctx.services.scheduling
        self.message = named(QLabel(), f"{name}_message", f"{title} messages")
        self.message.setWordWrap(True)

    def say(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet("color: #b00020" if error else "")
        self.message.setText(text)
        self.message.setAccessibleDescription(text)

    def _failed(self, exc: BaseException) -> bool:
        """Rule refusals are shown here (handled); disk failures also get the context's box."""
        self.say(str(exc), error=True)
        return isinstance(exc, ValueError)
