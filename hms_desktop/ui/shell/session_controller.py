"""Owns the background writer and the open data folder for the main window.

Start-up runs ``open_session`` on the writer (the only worker the app has for storage), so
the window is on screen at once and shows progress while 100,000 patients load. The
window only listens to the signals here.
"""

from __future__ import annotations

import importlib
import logging
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from hms_desktop.services.session import Session, close_session, load_deferred, open_session
from hms_desktop.services.writer import BackgroundWriter
from hms_desktop.ui.composition import open_context
from hms_desktop.ui.context import AppContext

log = logging.getLogger(__name__)

PRELOADED_WHILE_OPENING = ("numpy",)
PRELOADED_AFTER_TABS = ("pandas",)  # exports and charts
"""Heavy modules imported on the writer, so the first view that uses them does not freeze the
GUI thread: numpy ~0.1 s while the progress bar shows; pandas ~0.3-0.6 s once the window's
tabs exist (while they were being made, sharing the GIL with it doubled the Monitor tab's
~0.2 s; bench/startup_profile.py).

Only modules that never touch Qt: PySide6 makes its types and enums lazily, and not
thread-safely. Importing pyqtgraph here (it copies every Qt name at import) crashed the app
in about one start in 40 while the GUI thread used Qt (tests/ui/test_startup_threads.py);
``import_plotting`` imports it on the GUI thread instead."""


class SessionController(QObject):
    """Opens the data folder in the background and builds the AppContext when done."""

    sig_progress_reported = Signal(str, float)
    """Start-up step text and overall fraction 0..1 (emitted from the writer thread, queued)."""
    sig_session_opened = Signal(object)
    """The data folder is open: carries the Session (queued to the GUI thread)."""
    sig_context_ready = Signal(object)
    """The AppContext exists; tabs can be created."""
    sig_open_failed = Signal(str)
    """The data folder could not be opened: a message for the user."""
    sig_tables_loaded = Signal()
    """Every table is in memory (the ones deferred past start-up loaded on the writer)."""

    def __init__(
        self,
        data_dir: Path,
        *,
        demo_if_empty: bool = True,
        demo_patients: int = 500,
        demo_seed: int | None = None,
        database: str | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        self._demo_if_empty = demo_if_empty
        self._demo_patients = demo_patients
        self._demo_seed = demo_seed
        self.database = database  # the server's address, or None for the data folder
        self.writer = BackgroundWriter()
        self.session: Session | None = None
        self.ctx: AppContext | None = None
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self.tables_loaded = threading.Event()
        self._tabs_preloaded = False
        self.sig_session_opened.connect(self._on_session_opened)

    def start(self) -> Future[Any]:
        """Begin opening the folder; returns at once."""
        self.writer.submit(_preload_modules, PRELOADED_WHILE_OPENING)
        future: Future[Any] = self.writer.submit(
            open_session, self.data_dir, progress=self._report, demo_if_empty=self._demo_if_empty,
            demo_patients=self._demo_patients, demo_seed=self._demo_seed, database=self.database,
            defer_tables=True,  # the Patients tab is usable first; the rest loads behind it
        )
        future.add_done_callback(self._opened)
        return future

    def _open_failure(self, exc: BaseException) -> str:
        if self.database is None:
            return f"Could not open the data folder {self.data_dir}: {exc}"
        from hms_desktop.storage.postgres.conninfo import describe

        server = describe(self.database)
        text = str(exc) if server in str(exc) else f"the PostgreSQL server at {server}: {exc}"
        return (f"Could not open the clinic on the server. {text}\n\nCheck that the server is "
                "running and reachable from this PC, or use File ▸ Open data folder… / "
                "File ▸ Connect to server… to choose another.")

    def _report(self, step: str, fraction: float) -> None:
        if not self._closed.is_set():
            self.sig_progress_reported.emit(step, fraction)

    def _opened(self, future: Future[Any]) -> None:
        exc = future.exception()
        if exc is not None:
            log.error("could not open %s", self.database or self.data_dir, exc_info=exc)
            self.sig_open_failed.emit(self._open_failure(exc))
            return
        session = future.result()
        with self._lock:  # shutdown() must see this session, whichever thread runs first
            if not self._closed.is_set():
                self.session = session
                self.sig_session_opened.emit(session)
                self.writer.submit(_make_alarm_tones)  # for the Monitor tab: after the usable point
                if session.deferred:
                    # Next in the writer's queue, before any write a tab submits later; a tab
                    # that needs a table sooner loads it on demand.
                    self.writer.submit(load_deferred, session, self._report).add_done_callback(self._deferred_loaded)
                else:
                    self.tables_loaded.set()
                    self.sig_tables_loaded.emit()
                return
        close_session(session)  # the window closed while loading: just release the folder

    def tabs_created(self) -> None:
        """The window's tabs exist: now the writer may import what later views need."""
        with self._lock:  # never after shutdown() stopped the writer
            if self._closed.is_set() or self._tabs_preloaded:
                return
            self._tabs_preloaded = True
            self.writer.submit(_preload_modules, PRELOADED_AFTER_TABS)

    def _deferred_loaded(self, future: Future[Any]) -> None:
        exc = future.exception()
        if exc is not None:  # each table is tried again when it is first used, and says why
            log.error("could not load every table of %s in the background", self.data_dir, exc_info=exc)
        self.tables_loaded.set()
        if not self._closed.is_set():
            self.sig_tables_loaded.emit()

    def _on_session_opened(self, session: Session) -> None:
        if self._closed.is_set():
            return
        self.ctx = open_context(session.data_dir, services=session.services, writer=self.writer,
                                settings=session.settings, parent=self)
        self.sig_context_ready.emit(self.ctx)

    def shutdown(self) -> None:
        """Finish queued writes, checkpoint, release the lock and stop the writer thread.

        Called when the window closes; blocking here is right, the user asked to quit and
        every acknowledged write must reach the checkpoint first.
        """
        with self._lock:
            if self._closed.is_set():
                return
            self._closed.set()
            session, self.session = self.session, None
        if self.ctx is not None:
            self.ctx.begin_shutdown()  # tabs stop their timers and flush while the writer runs
        if session is not None:
            self.writer.submit(close_session, session).result()
        self.writer.shutdown()


def _make_alarm_tones() -> None:
    """The Monitor tab's alarm sounds (pure numpy, cached), made here rather than on the GUI thread."""
    from hms_desktop.domain.alarm_limits import Priority
    from hms_desktop.monitoring.tones import generate_wav

    for priority in Priority:
        generate_wav(priority)


def import_plotting() -> None:
    """Import pyqtgraph on the GUI thread before the window is built (``app.main``).

    It touches Qt at import, so never on the writer (``PRELOADED_WHILE_OPENING``). Imported by
    the Monitor tab it froze the usable window ~0.3 s; imported while the writer opened the
    folder it froze the window ~1 s (the two threads share the GIL); before the window
    exists it only delays its appearance by ~0.3 s (bench/startup.py).

    It also makes every QtCore, QtGui and QtWidgets type here (pyqtgraph copies every name),
    so a worker thread that first meets one of them later (a PDF laid out on a query thread
    gets a QAbstractTextDocumentLayout) finds it made: PySide6 makes types lazily, and a type
    made on two threads at once can crash the process.
    """
    try:
        import pyqtgraph  # noqa: F401
    except ImportError:  # a build without plots: the tab that needs it will say so
        log.warning("could not import pyqtgraph")


def _preload_modules(names: tuple[str, ...]) -> None:
    """Import Qt-free heavy modules on the writer (``PRELOADED_WHILE_OPENING``, ``PRELOADED_AFTER_TABS``)."""
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:  # the tab that needs it will say so
            log.warning("could not preload %s", name)
