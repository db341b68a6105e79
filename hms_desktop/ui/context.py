"""AppContext: what every tab receives in ``create_tab(ctx)``.

It is the only bridge between the Qt world and the plain-Python services: writes go out
through ``ctx.run`` (the single background writer) and come back, together with every
change event, as signals on the GUI thread. Tabs never share widgets; they share this.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QWidget

from hms_desktop.domain.accounts import SYSTEM_USER, Permission, SignedInUser
from hms_desktop.domain.clinic_settings import ClinicSettings
from hms_desktop.domain.validation_text import describe_validation_error
from hms_desktop.services.bus import Change, EventBus
from hms_desktop.services.container import Services
from hms_desktop.services.session import apply_settings
from hms_desktop.services.timeline import TimelineSource
from hms_desktop.services.writer import BackgroundWriter
from hms_desktop.storage import ReadOnlyError, Store
from hms_desktop.ui.queries import Query, QueryRunner, TaskState
from hms_desktop.ui.shell.write_guard import WriteGuard

if TYPE_CHECKING:
    from hms_desktop.ui.monitor.controller import StationController

log = logging.getLogger(__name__)

TAB_PATIENTS, TAB_RECORD, TAB_SCHEDULE, TAB_MONITOR = "Patients", "Record", "Schedule", "Monitor"


class _GuiCall(QObject):
    """Runs callables on the thread this object lives in (the GUI thread).

    A signal emitted from a worker thread to an object living in the GUI thread is queued,
    which is how a completion callback crosses threads without touching a widget off-thread.
    """

    sig_call_posted = Signal(object)
    """A zero-argument callable was posted from any thread."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.sig_call_posted.connect(self._call)

    def post(self, fn: Callable[[], object]) -> None:
        self.sig_call_posted.emit(fn)

    @Slot(object)
    def _call(self, fn: Callable[[], object]) -> None:
        try:
            fn()
        except Exception:  # a broken callback must not take the event loop down
            log.exception("callback failed on the GUI thread")


class CurrentPatient(QObject):
    """The patient the user is working on; shared by the Record, Schedule and Monitor tabs."""

    sig_patient_changed = Signal(str)
    """Another patient was selected ("" when none)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._patient_id = ""

    @property
    def patient_id(self) -> str:
        return self._patient_id

    def select(self, patient_id: str) -> None:
        """Select a patient; listeners hear only real changes, so re-selecting is free."""
        if patient_id != self._patient_id:
            self._patient_id = patient_id
            self.sig_patient_changed.emit(patient_id)


class ChangeRelay(QObject):
    """Re-emits the services' change events on the GUI thread."""

    sig_changed = Signal(object)
    """A service saved something: carries the bus ``Change`` (table, ids, op)."""

    def on_change(self, change: Change) -> None:
        """Bus subscriber; called on whatever thread published (usually the writer)."""
        self.sig_changed.emit(change)


class Navigation(QObject):
    """Cross-tab requests ("book a follow-up", "open this patient") without widget coupling."""

    sig_booking_requested = Signal(dict)
    """Someone asked for an appointment to be booked; keys as passed to request_booking."""
    sig_visit_log_requested = Signal(dict)
    """Someone asked for a visit to be logged; keys as passed to request_visit_log."""
    sig_tab_requested = Signal(str)
    """A tab (by its title, e.g. "Record") should be brought to the front."""

    def __init__(self, current_patient: CurrentPatient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._current = current_patient
        self._held: list[tuple[Any, dict[str, Any]]] | None = None

    def hold(self) -> None:
        """Queue requests until ``release()``: while tabs are still being created at start-up,
        the tab that answers a request may not be listening yet, and a request must not vanish."""
        if self._held is None:
            self._held = []

    def release(self) -> None:
        """Deliver the queued requests, in order, now that every tab listens."""
        held, self._held = self._held or [], None
        for signal, details in held:
            signal.emit(details)

    def _send(self, signal: Any, details: dict[str, Any]) -> None:
        if self._held is not None:
            self._held.append((signal, details))
        else:
            signal.emit(details)

    def request_booking(self, **details: Any) -> None:
        self._send(self.sig_booking_requested, dict(details))

    def request_visit_log(self, **details: Any) -> None:
        self._send(self.sig_visit_log_requested, dict(details))

    def show_tab(self, title: str) -> None:
        self.sig_tab_requested.emit(title)

    def open_patient(self, patient_id: str) -> None:
        """Select the patient and show their clinical record."""
        self._current.select(patient_id)
        self.sig_tab_requested.emit(TAB_RECORD)


class FolderSession:
    """The open data folder as the tabs see it: where it is, who writes in it, and whether
    this window may write. Read-only state is read live from the store (a damaged file may
    make the folder read-only after start-up). The signed-in user belongs here too."""

    def __init__(self, store: Store, data_dir: Path) -> None:
        self._store = store
        self.data_dir = data_dir

    @property
    def actor(self) -> str:
        """The name written into every saved row's ``by`` (the operating-system user today)."""
        return self._store.actor

    @property
    def read_only(self) -> bool:
        """True when every write would be refused (another instance, or a data problem)."""
        return self._store.read_only

    @property
    def read_only_reason(self) -> str:
        """Why, for the status bar ("… open by ana on ward-pc (process 4242)"); "" when writable."""
        return self._store.read_only_reason if self.read_only else ""

    @property
    def holds_folder_lock(self) -> bool:
        """True when this window owns the data folder (even if a data problem made it
        read-only). Only the owner opens devices and monitors beds: a second window on the
        same folder must never open a station's serial port."""
        return self._store.holds_lock

    @property
    def held_elsewhere(self) -> bool:
        """Another window or workstation holds the folder (and monitors its beds)."""
        return self._store.held_elsewhere


class AppContext(QObject):
    """Services, the folder session, settings and the GUI-thread plumbing shared by every tab."""

    sig_settings_changed = Signal(object)
    """New ClinicSettings were saved."""
    sig_status_posted = Signal(str)
    """A short message for the status bar."""
    sig_failure_reported = Signal(str, str)
    """A write failed: (what was not saved, why). The main window shows a message box."""
    sig_closing = Signal()
    """The window is closing: stop timers and threads and hand over last writes now (the
    writer still runs while this is emitted, and stops right after)."""

    def __init__(
        self,
        *,
        services: Services,
        store: Store,
        bus: EventBus,
        writer: BackgroundWriter,
        settings: ClinicSettings,
        data_dir: Path,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        #: For the shell's whole-folder operations only (backup snapshot, repair, demo
        #: removal); tabs read the folder's state through ``session``.
        self.store = store
        self.bus = bus
        self.writer = writer
        self.session = FolderSession(store, Path(data_dir))
        self.data_dir = self.session.data_dir
        #: The Monitor tab's station controller, once that tab is built (None before, and in
        #: windows without a Monitor tab).
        self.monitor_controller: StationController | None = None
        #: The Record tab's pages in order, registered by the composition root
        #: (``ui/composition.py``), so the record never imports the features that add pages.
        self.record_pages: list[tuple[str, Callable[[Any], QWidget]]] = []
        #: What the Timeline page collects, in order, also registered by the root.
        self.timeline_sources: list[TimelineSource] = []
        self._settings = settings
        self._closing = False
        self._gui = _GuiCall(self)
        #: Reads that may take long, off the GUI thread (``query``); writes go to ``writer``.
        self.queries = QueryRunner(self)
        self.current_patient = CurrentPatient(self)
        self.changes = ChangeRelay(self)
        self.navigation = Navigation(self.current_patient, self)
        # Tabs register their write controls here (one line each); disabled with the reason
        # while this window is read-only.
        self.write_guard = WriteGuard(self.read_only_reason, self)
        self._read_only_box_shown = False
        bus.subscribe(self.changes.on_change)

    def begin_shutdown(self) -> None:
        """The window is closing: tell the tabs once (they may still queue last writes)."""
        if not self._closing:
            self.sig_closing.emit()
            self._closing = True
        self.queries.shutdown()  # no read may still be running when the store closes

    @property
    def settings(self) -> ClinicSettings:
        return self._settings

    @property
    def user(self) -> SignedInUser:
        """Who is signed in; every service call is checked against this user (docs/security.md)."""
        access = getattr(self.services, "access", None)
        return access.user if access is not None else SYSTEM_USER

    def may(self, permission: Permission) -> bool:
        """For hiding or disabling what the signed-in user's role cannot do."""
        return self.user.may(permission)

    def sign_in(self, user: SignedInUser) -> None:
        """Sign in or switch user: services check ``user`` from now on, and every control
        registered with ``write_guard.register(..., needs=...)`` follows the new role."""
        self.services.access.act_as(user)
        self.write_guard.set_user(user)

    @property
    def read_only(self) -> bool:
        return self.session.read_only

    @property
    def holds_folder_lock(self) -> bool:
        return self.session.holds_folder_lock

    @property
    def read_only_reason(self) -> str:
        return self.session.read_only_reason

    def run(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], object] | None = None,
        on_error: Callable[[BaseException], bool | None] | None = None,
        what: str = "saving",
        **kwargs: Any,
    ) -> Future[Any]:
        """Run ``fn(*args, **kwargs)`` on the background writer; never blocks the caller.

        ``on_done(result)`` or ``on_error(exc)`` is called later on the GUI thread. A failure
        is always reported in the status bar as "Not saved: <what>"; it also opens a message
        box unless ``on_error`` returns True (it showed the problem itself, e.g. next to
        the form field). ``what`` names what the user would lose, e.g. "new patient Ada Lovelace".
        """
        try:
            future: Future[Any] = self.writer.submit(fn, *args, **kwargs)
        except RuntimeError as exc:  # the writer has stopped: the app is closing
            future = Future()
            future.set_exception(exc)
            self._failed(what, exc, on_error)
            return future

        def finished(done: Future[Any]) -> None:
            exc = done.exception()
            if exc is None:
                result = done.result()
                if on_done is not None:
                    self._gui.post(lambda: on_done(result))
                return
            self._gui.post(lambda: self._failed(what, exc, on_error))

        future.add_done_callback(finished)
        return future

    def query(
        self,
        fn: Callable[[TaskState], Any],
        *,
        what: str,
        on_done: Callable[[Any], object],
        on_error: Callable[[BaseException], bool | None] | None = None,
        on_progress: Callable[[int, int, str], object] | None = None,
        slot: str | None = None,
        failed_text: str = "Could not load",
    ) -> Query:
        """Run a read that may take long, ``fn(state)``, on a reader thread; never blocks.

        ``on_done(result)`` is called on the GUI thread unless the query was cancelled first: by
        a newer query in the same ``slot`` (the user moved on to another patient) or by closing.
        ``fn`` may call ``state.check()`` between steps to stop early and ``state.progress``
        to feed ``on_progress``. A failure is said as "Could not load <what> — <reason>" in
        the status bar (``failed_text`` replaces "Could not load" for a read that produces a
        file, e.g. "Could not write"); ``on_error`` may show it where the user looks too.
        """
        query = self.queries.submit(fn, what=what, slot=slot)
        query.sig_done.connect(on_done)
        if on_progress is not None:
            query.sig_progress.connect(on_progress)

        def failed(exc: BaseException) -> None:
            if on_error is not None:
                try:
                    on_error(exc)
                except Exception:
                    log.exception("on_error callback failed")
            if not self._closing:
                self.sig_status_posted.emit(f"{failed_text} {what} — {describe_read_failure(exc)}")

        query.sig_failed.connect(failed)
        return query

    def _failed(
        self,
        what: str,
        exc: BaseException,
        on_error: Callable[[BaseException], bool | None] | None,
    ) -> None:
        handled = False
        if on_error is not None:
            try:
                handled = bool(on_error(exc))
            except Exception:
                log.exception("on_error callback failed")
        reason = describe_failure(exc)
        log.warning("not saved: %s: %s", what, reason)
        if self._closing:  # the window is gone; the log is the only place left to say it
            return
        self.sig_status_posted.emit(f"Not saved: {what} — {reason}")
        if isinstance(exc, ReadOnlyError):
            # Storage may turn read-only after start-up (a file found damaged): from the first
            # refused write on, the write actions are disabled with the reason too.
            self.write_guard.set_read_only(self.read_only_reason or reason)
            # The window already says it is read-only (status bar, title, disabled actions);
            # one box explains it, a box per refused write (once a second from a timer) nags.
            if self._read_only_box_shown:
                return
            self._read_only_box_shown = True
        if not handled:
            self.sig_failure_reported.emit(what, reason)

    def update_settings(
        self, settings: ClinicSettings, *, on_done: Callable[[Any], None] | None = None
    ) -> Future[Any]:
        """Save new clinic settings on the writer; listeners hear of them once on disk."""

        def saved(_: object) -> None:
            self._settings = settings
            apply_settings(self.services, settings)
            self.sig_settings_changed.emit(settings)
            self.sig_status_posted.emit("Clinic settings saved")
            if on_done is not None:
                on_done(settings)

        return self.run(self.services.folder.save_settings, settings, on_done=saved, what="clinic settings")


def describe_read_failure(exc: BaseException) -> str:
    """Why a read failed, in the reader's words (a read never says "Not saved")."""
    if isinstance(exc, PermissionError):
        return f"permission denied for {exc.filename or 'the data folder'}"
    if isinstance(exc, FileNotFoundError):
        return f"the data folder or file is missing ({exc.filename or exc})"
    return str(exc) or type(exc).__name__


def describe_failure(exc: BaseException) -> str:
    """A sentence a receptionist can act on, for the failures storage can raise."""
    if isinstance(exc, ReadOnlyError):
        return str(exc) or "this window is read-only: another HMS Desktop has the data folder"
    if isinstance(exc, PermissionError):
        return f"permission denied writing {exc.filename or 'the data folder'}"
    if isinstance(exc, FileNotFoundError):
        return f"the data folder or file is missing ({exc.filename or exc})"
    if isinstance(exc, OSError) and exc.errno == 28:
        return "the disk is full"
    if isinstance(exc, ValidationError):
        return describe_validation_error(exc)
    return str(exc) or type(exc).__name__
