"""While beds are monitored: the watchdog watches, the machine stays awake, quitting asks first.

``MonitoringGuard`` follows the station controller's beds. With at least one bed monitored it
starts the station watchdog (``ui/shell/watchdog_client.py``) and holds the OS sleep
inhibitor (``ui/shell/keep_awake.py``); with none it lets both go. ``guard_window`` makes
the main window ask before it closes with beds monitored (issue 11 item 6).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QMessageBox, QWidget

from hms_desktop.ui.monitor.controller import StationController
from hms_desktop.ui.monitor.patient_names import shown_patient
from hms_desktop.ui.shell.keep_awake import KeepAwake
from hms_desktop.ui.shell.watchdog_client import WatchdogClient

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext

#: A window property: set it to close without asking (SIGTERM, a relaunch on another folder).
FORCE_CLOSE = "hms_force_close"
#: A window property the sign-in gate sets while the lock screen is shown.
LOCKED = "hms_locked"


class MonitoringGuard(QObject):
    def __init__(self, controller: StationController, *, watchdog: WatchdogClient | None,
                 keep_awake: KeepAwake | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("monitoring_guard")
        self.controller = controller
        self.watchdog = watchdog
        self.keep_awake = keep_awake
        self.stopped = False
        controller.sig_beds_changed.connect(self.update)
        self.update()

    def monitored(self, *, patients_hidden: bool = False) -> list[str]:
        """"Bed 1 — Ada Lovelace" for every bed with a session (paused ones too: a patient is
        there); over a lock screen "Bed 1 — patient hidden (screen locked)"."""
        return [f"{m.bed.name} — {shown_patient(m, hidden=patients_hidden)}"
                for m in self.controller.monitors.values() if m.session is not None]

    def update(self) -> None:
        if self.stopped:
            return
        active = sum(1 for m in self.controller.monitors.values() if m.monitoring)
        if self.watchdog is not None:
            self.watchdog.set_monitored_beds(active)
        if self.keep_awake is not None:
            self.keep_awake.set_holding(active > 0, f"{active} bed(s) monitored by HMS Desktop")

    def stop(self) -> None:
        """A clean end (the user confirmed quitting): goodbye to the watchdog, sleep allowed."""
        self.stopped = True
        if self.watchdog is not None:
            self.watchdog.stop()
        if self.keep_awake is not None:
            self.keep_awake.release()

    def confirm_quit(self, parent: QWidget) -> bool:
        # Quit stays available on the lock screen (session_gate.py sets the property): the
        # question must not show who is in each bed to whoever stands at a locked station.
        beds = self.monitored(patients_hidden=bool(parent.property(LOCKED)))
        if not beds:
            return True
        box = QMessageBox(QMessageBox.Icon.Warning, "Quit while monitoring?",
                          f"{len(beds)} bed(s) are being monitored:\n" + "\n".join(beds)
                          + "\n\nQuitting stops their monitoring and alarms on this station.",
                          QMessageBox.StandardButton.NoButton, parent)
        box.setObjectName("quit_while_monitoring")
        box.setAccessibleName("Quit while monitoring?")
        keep = box.addButton("&Keep monitoring", QMessageBox.ButtonRole.RejectRole)
        quit_button = box.addButton("&Quit and stop monitoring", QMessageBox.ButtonRole.DestructiveRole)
        keep.setAccessibleName("keep monitoring")
        quit_button.setAccessibleName("quit and stop monitoring")
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.exec()
        return box.clickedButton() is quit_button


class _AskBeforeClose(QObject):
    def __init__(self, guard: MonitoringGuard, window: QWidget) -> None:
        super().__init__(window)
        self.guard = guard
        self.window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.window and event.type() == QEvent.Type.Close:
            if not self.window.property(FORCE_CLOSE) and not self.guard.confirm_quit(self.window):
                event.ignore()
                return True
            self.guard.stop()
        return False


def guard_window(window: QWidget, ctx: AppContext, *, watchdog: WatchdogClient | None = None,
                 keep_awake: KeepAwake | None = None) -> MonitoringGuard:
    """Guard the context's station (built if needed) and make ``window`` ask before closing."""
    from hms_desktop.ui.monitor.monitor_tab import build_controller

    guard = MonitoringGuard(build_controller(ctx), watchdog=watchdog, keep_awake=keep_awake, parent=window)
    window.installEventFilter(_AskBeforeClose(guard, window))
    return guard
