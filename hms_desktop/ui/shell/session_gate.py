"""Who is at the keyboard: sign-in at start, lock now, idle lock, sign out, switch user,
the first administrator of an empty folder, and emergency access (issue 14; docs/security.md).

The composition root (``app.py``) puts a window behind this gate; a window built without
it (unit tests of one tab, the quick-look runners) acts as the explicit ``system`` actor.

- Until someone signs in the window shows the lock screen and no tab is built.
- **Lock** (File ▸ Lock now, Ctrl+L, or no input for the clinic's idle minutes): the tabs
  and every open dialog are hidden, the same user stays signed in (their queued saves
  finish as theirs). Their password unlocks and everything comes back as it was. Another
  user signing in instead closes the previous user's dialogs *without saving* — one
  person's half-typed note is never saved under another's name — and the access log says
  so. A station account never idle-locks.
- **Sign out**: the same, then nobody is signed in (the services refuse everything).
- Monitoring is not part of any tab: beds keep recording, alarming and sounding whatever
  this gate shows, and the lock screen lists the alarms with Acknowledge and Audio pause.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu, QStackedWidget, QWidget

from hms_desktop.domain.accounts import SIGNED_OUT, Permission, SignedInUser
from hms_desktop.services.accounts import DEMO_ACCOUNTS, PasswordChangeRequired
from hms_desktop.services.demo.marker import holds_demo
from hms_desktop.services.station_credentials import sign_in_station
from hms_desktop.ui.context import TAB_RECORD, AppContext
from hms_desktop.ui.shell.change_password import ChangePasswordDialog
from hms_desktop.ui.shell.emergency_dialog import EmergencyAccessDialog
from hms_desktop.ui.shell.first_admin import FirstAdministratorDialog
from hms_desktop.ui.shell.lock_screen import Beds, LockScreen

if TYPE_CHECKING:
    from hms_desktop.ui.main_window import MainWindow

DISCARDED = "discarded unsaved input"
_INPUT = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel,
          QEvent.Type.TouchBegin}


class SessionGate(QObject):
    sig_signed_in = Signal(object)
    """A user signed in, unlocked or switched (the SignedInUser); the tabs follow."""
    sig_locked = Signal()
    """The window now shows the lock screen (locked, signed out, or before the first sign-in)."""

    def __init__(self, window: MainWindow, *, beds: Callable[[AppContext], Beds | None] = lambda _ctx: None,
                 clock: Callable[[], float] = time.monotonic, check_every_ms: int = 1000,
                 station_credentials: Path | None = None) -> None:
        super().__init__(window)
        self.setObjectName("session_gate")
        self.window = window
        self.ctx: AppContext | None = None
        self.user: SignedInUser = SIGNED_OUT
        self.locked = True
        self._beds = beds
        self._station_credentials = station_credentials
        self._clock = clock
        self._last_input = clock()
        self._hidden: list[QWidget] = []
        self.lock_screen: LockScreen | None = None
        window.hold_tabs = True
        self._stack = QStackedWidget(window)
        self._stack.setObjectName("session_stack")
        self._stack.setAccessibleName("main window pages")
        content = window.takeCentralWidget()
        assert content is not None, "the main window builds its central widget first"
        self._stack.addWidget(content)
        window.setCentralWidget(self._stack)
        self._content: QWidget = content
        self._build_actions()
        window.controller.sig_context_ready.connect(self._on_context_ready)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self._idle_timer = QTimer(self)
        self._idle_timer.timeout.connect(self.check_idle)
        self._idle_timer.start(check_every_ms)

    # ---- menu -----------------------------------------------------------------------------
    def _build_actions(self) -> None:
        menu = self.window.findChild(QMenu, "file_menu")
        first = menu.actions()[0] if menu is not None and menu.actions() else None

        def action(text: str, name: str, slot: Callable[[], object], shortcut: str = "") -> QAction:
            act = QAction(text, self.window)
            act.setObjectName(f"action_{name}")
            if shortcut:
                act.setShortcut(QKeySequence(shortcut))
            act.triggered.connect(lambda _=False: slot())
            act.setEnabled(False)
            if menu is not None and first is not None:
                menu.insertAction(first, act)
            else:
                self.window.addAction(act)
            return act

        self.action_lock = action("Lock &now", "lock_now", self.lock, "Ctrl+L")
        self.action_switch = action("S&witch user…", "switch_user", self.lock)
        self.action_sign_out = action("Si&gn out", "sign_out", self.sign_out)
        # Mnemonics: the File menu already uses L (Print label), E (Export), t (Backup settings).
        self.action_emergency = action("Emergenc&y access to this patient…", "emergency_access",
                                       self.emergency_access)
        self._own_actions = [self.action_lock, self.action_switch, self.action_sign_out, self.action_emergency]
        self._suspended: list[QAction] = []
        if menu is not None and first is not None:
            menu.insertSeparator(first)

    # ---- start ----------------------------------------------------------------------------
    def _on_context_ready(self, ctx: AppContext) -> None:
        self.ctx = ctx
        screen = LockScreen(self._authenticate, ctx.writer.submit, self._stack)
        screen.form.sig_signed_in.connect(self._signed_in)
        screen.form.sig_attempt_finished.connect(self._attempt_finished)
        if holds_demo(ctx.data_dir):
            screen.show_demo_accounts([(u, p) for u, _name, _role, p in DEMO_ACCOUNTS])
        beds = self._beds(ctx)
        if beds is not None:
            screen.show_beds(beds)
        self.lock_screen = screen
        self._stack.addWidget(screen)
        ctx.current_patient.sig_patient_changed.connect(lambda _pid: self._update_actions())
        self._show_lock_screen()
        screen.signed_out()
        # Serialised with the writes already queued (demo data, a station's start-up).
        ctx.run(ctx.services.access.act_as, SIGNED_OUT, what="signing out the start-up actor")
        if not ctx.services.accounts.has_users() and not ctx.read_only:
            self._ask_first_administrator(ctx)
        elif self._station_credentials is not None:  # the kiosk starts unattended after a restart
            ctx.run(self._sign_in_station, self._station_credentials, on_done=self._signed_in,
                    on_error=self._station_refused, what="signing in the nurse station")

    def _ask_first_administrator(self, ctx: AppContext) -> FirstAdministratorDialog:
        accounts = ctx.services.accounts

        def create(username: str, name: str, password: str) -> SignedInUser:
            accounts.create_first_administrator(username, name, password)
            return self._authenticate(username, password)

        dialog = FirstAdministratorDialog(create, ctx.writer.submit, self.window)
        dialog.sig_created.connect(self._signed_in)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.first_administrator = dialog
        return dialog

    def _authenticate(self, username: str, password: str) -> SignedInUser:
        """On the writer: check the password, then act as the user from the next write on
        (``PasswordChangeRequired`` first if an administrator set it)."""
        assert self.ctx is not None
        accounts = self.ctx.services.accounts
        user = accounts.authenticate(username, password)
        if accounts.must_change_password(user.username):
            raise PasswordChangeRequired(user.username)
        self.ctx.services.access.act_as(user)
        return user

    def _change_password(self, username: str, current: str, new: str) -> SignedInUser:
        assert self.ctx is not None
        self.ctx.services.accounts.change_own_password(username, current, new)
        return self._authenticate(username, new)

    def _attempt_finished(self, outcome: object) -> None:
        if isinstance(outcome, PasswordChangeRequired) and self.ctx is not None:
            dialog = ChangePasswordDialog(outcome.username, self._change_password, self.ctx.writer.submit,
                                          self.window)
            dialog.sig_changed.connect(self._signed_in)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()
            self.change_password = dialog

    def _sign_in_station(self, path: Path) -> SignedInUser:
        """On the writer: the kiosk's credential file (``services/station_credentials.py``)."""
        assert self.ctx is not None
        user = sign_in_station(self.ctx.services.accounts, path)
        self.ctx.services.access.act_as(user)
        return user

    def _station_refused(self, exc: BaseException) -> bool:
        if self.lock_screen is not None:
            self.lock_screen.form.problem.setText(f"The nurse station did not sign in: {exc}")
        return True

    # ---- signing in ---------------------------------------------------------------------
    def _signed_in(self, user: SignedInUser) -> None:
        ctx = self.ctx
        if ctx is None:
            return
        previous, self.user = self.user, user
        ctx.write_guard.set_user(user)
        if previous.username == user.username and self._tabs_built:
            self._restore_hidden()  # unlocked by the same person: everything as it was
        else:
            if self._hidden:
                titles = ", ".join(w.windowTitle() or w.objectName() for w in self._hidden)
                ctx.run(ctx.services.access.record, DISCARDED,
                        detail=f"{previous.username}: {titles}", what="the access log")
            self._discard_hidden()
            if self._tabs_built:
                self.window.reset_tabs()
            self.window.create_tabs()
            self._tabs_built = True
        self.locked = False
        self._resume_actions()
        self.window.setProperty("hms_locked", False)
        self.window.statusBar().setVisible(True)
        self._last_input = self._clock()
        self._stack.setCurrentWidget(self._content)
        self.window.menuBar().setEnabled(True)
        self._update_actions()
        ctx.sig_status_posted.emit(f"Signed in as {user.display_name}")
        hide_companion_patients(self.window, False)
        self.sig_signed_in.emit(user)

    _tabs_built = False

    # ---- locking --------------------------------------------------------------------------
    def lock(self) -> None:
        """Hide every patient detail; the user stays signed in until someone else signs in."""
        if self.ctx is None or self.lock_screen is None or self.locked:
            return
        self._hide_dialogs()
        self._show_lock_screen()
        self.lock_screen.locked(self.user.display_name, self.user.username)

    def sign_out(self) -> None:
        if self.ctx is None or self.lock_screen is None:
            return
        self._hide_dialogs()
        previous = self.user
        if self._hidden:
            titles = ", ".join(w.windowTitle() or w.objectName() for w in self._hidden)
            self.ctx.run(self.ctx.services.access.record, DISCARDED, detail=f"{previous.username}: {titles}",
                         what="the access log")
        self._discard_hidden()
        if self._tabs_built:
            self.window.reset_tabs()
            self._tabs_built = False
        self.user = SIGNED_OUT
        self.ctx.write_guard.set_user(SIGNED_OUT)
        self.ctx.run(self.ctx.services.access.record, "signed out", detail=previous.username, what="the access log")
        self.ctx.run(self.ctx.services.access.act_as, SIGNED_OUT, what="signing out")
        self._show_lock_screen()
        self.lock_screen.signed_out()

    def _show_lock_screen(self) -> None:
        assert self.lock_screen is not None
        if not self.locked or not self._suspended:
            self._suspend_actions()
        self.locked = True
        self.window.setProperty("hms_locked", True)
        self._stack.setCurrentWidget(self.lock_screen)
        self.window.menuBar().setEnabled(False)
        # The status line may name a patient ("Saved Ada Lovelace", a scanned label): hidden.
        self.window.statusBar().clearMessage()
        self.window.statusBar().setVisible(False)
        self._update_actions()
        hide_companion_patients(self.window, True)
        self.sig_locked.emit()

    def _suspend_actions(self) -> None:
        """Every window action but Quit and Full screen stops while locked: a shortcut such as
        Ctrl+Shift+L (print the open patient's label) must not work behind the lock screen."""
        keep = {"action_quit", "action_full_screen"}
        for act in self.window.findChildren(QAction):
            if act.isEnabled() and act.objectName() not in keep and act not in self._own_actions:
                act.setEnabled(False)
                self._suspended.append(act)

    def _resume_actions(self) -> None:
        suspended, self._suspended = self._suspended, []
        for act in suspended:
            act.setEnabled(True)  # the write guard disables again what the new role may not do

    def _hide_dialogs(self) -> None:
        """Every other window of the application (dialogs, a referral letter…) but the
        nurse-station kiosk, which shows beds, not records."""
        keep = {self.window, *getattr(self.window, "_companions", [])}
        for widget in QApplication.topLevelWidgets():
            if widget.isVisible() and widget not in keep and not isinstance(widget, QMenu) \
                    and widget is not getattr(self, "first_administrator", None) \
                    and widget is not getattr(self, "change_password", None):
                widget.hide()
                self._hidden.append(widget)

    def _restore_hidden(self) -> None:
        hidden, self._hidden = self._hidden, []
        for widget in hidden:
            widget.show()

    def _discard_hidden(self) -> None:
        hidden, self._hidden = self._hidden, []
        for widget in hidden:
            widget.setProperty("hms_force_close", True)
            widget.close()
            widget.deleteLater()

    # ---- idle lock ---------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() in _INPUT:
            self._last_input = self._clock()
        return False

    def check_idle(self) -> None:
        """Lock after the clinic's idle minutes without input; a station never idle-locks."""
        if self.ctx is None or self.locked or self.user.is_station:
            return
        if self._clock() - self._last_input >= self.ctx.settings.idle_lock_minutes * 60:
            self.lock()

    # ---- emergency access -----------------------------------------------------------------
    def _update_actions(self) -> None:
        signed_in = not self.locked and self.user is not SIGNED_OUT
        self.action_lock.setEnabled(signed_in)
        self.action_switch.setEnabled(signed_in)
        self.action_sign_out.setEnabled(signed_in)
        patient = self.ctx.current_patient.patient_id if self.ctx is not None else ""
        self.action_emergency.setEnabled(signed_in and bool(patient) and not self.user.is_station
                                         and not self.user.may(Permission.VIEW_RECORD))

    def emergency_access(self) -> EmergencyAccessDialog | None:
        ctx = self.ctx
        if ctx is None or not ctx.current_patient.patient_id:
            return None
        patient_id = ctx.current_patient.patient_id

        def grant(reason: str) -> None:
            ctx.run(ctx.services.access.break_glass, patient_id, reason, on_done=lambda _r: self._reopen_record(),
                    what="emergency access")

        dialog = EmergencyAccessDialog(patient_id, grant, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _reopen_record(self) -> None:
        """The Record tab is built again, now for a user who may read this one patient."""
        assert self.ctx is not None
        patient_id = self.ctx.current_patient.patient_id
        self.ctx.sig_status_posted.emit(f"Emergency access to {patient_id}: recorded in the access log")
        self.window.reset_tabs()
        self.ctx.current_patient.select(patient_id)
        self.window.create_tabs()
        self.window.sig_tabs_created.connect(lambda: self._select(patient_id),
                                             Qt.ConnectionType.SingleShotConnection)

    def _select(self, patient_id: str) -> None:
        assert self.ctx is not None
        self.ctx.navigation.open_patient(patient_id)
        self.window.show_tab(TAB_RECORD)


def hide_companion_patients(window: QWidget, hidden: bool) -> None:
    """A companion nurse-station window (``--station``) stays on while the main window is
    locked — beds, numbers, alarms and audio pause keep working — but shows no patient name
    or ID (``StationView.set_patients_hidden``)."""
    for companion in getattr(window, "_companions", []):
        set_hidden = getattr(companion, "set_patients_hidden", None)
        if callable(set_hidden):
            set_hidden(hidden)
