"""Queries: reads that may take long run off the GUI thread, and only the latest answer counts.

Writes go to the single background writer (``AppContext.run``); a read that can take long
(the Timeline over 30 wearable day files, a summary PDF) goes here instead. The read runs on
a small pool of reader threads with a ``TaskState`` it may consult (has the user moved on?)
and report progress to. Its result comes back by signal on the GUI thread, and only if the
query was not cancelled meanwhile: a query submitted under a ``slot`` (e.g. "the Timeline of
this page") cancels the one before it, so a user clicking quickly through patients never
sees a slow, earlier patient's timeline land over the current one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

READER_THREADS = 2  # two cores on the smallest supported machine: one read never starves another


class QueryCancelled(Exception):
    """Raised inside a query by ``TaskState.check`` once the user has moved on."""


class TaskState:
    """What a running query shares with the GUI: cancellation and progress (thread-safe)."""

    def __init__(self, report: Callable[[int, int, str], None]) -> None:
        self._cancelled = threading.Event()
        self._report = report

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def cancel(self) -> None:
        self._cancelled.set()

    def check(self) -> None:
        """Stop here if the answer is no longer wanted (call between steps of a long read)."""
        if self._cancelled.is_set():
            raise QueryCancelled

    def progress(self, done: int, total: int, text: str = "") -> None:
        """``done`` of ``total`` steps, e.g. (2, 5, "wearables"); shown where the user waits."""
        if not self._cancelled.is_set():
            self._report(done, total, text)


class Query(QObject):
    """One submitted read. Lives on the GUI thread; its signals fire there, and never after
    ``cancel()``."""

    sig_progress = Signal(int, int, str)
    """(done, total, text) from the running query."""
    sig_done = Signal(object)
    """The query's result."""
    sig_failed = Signal(object)
    """The exception the query raised (not emitted for a cancelled query)."""
    sig_closed = Signal()
    """The query is over (answered, failed or cancelled); the object is deleted next."""

    _sig_worker_progress = Signal(int, int, str)
    _sig_worker_finished = Signal(object, object)  # (result, exception): queued to the GUI thread

    def __init__(self, what: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.what = what
        self.state = TaskState(self._sig_worker_progress.emit)
        self.finished = False
        self._sig_worker_progress.connect(self._on_progress)
        self._sig_worker_finished.connect(self._on_finished)

    def cancel(self) -> None:
        """The user moved on: the read stops at its next check, and its answer is dropped."""
        self.state.cancel()

    @property
    def cancelled(self) -> bool:
        return self.state.cancelled

    def _run(self, fn: Callable[[TaskState], Any]) -> None:
        """On a reader thread."""
        try:
            result = fn(self.state)
        except QueryCancelled:
            self._sig_worker_finished.emit(None, QueryCancelled())
            return
        except Exception as exc:  # reported to the user by the GUI-thread handler
            log.exception("could not load %s", self.what)
            self._sig_worker_finished.emit(None, exc)
            return
        self._sig_worker_finished.emit(result, None)

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, text: str) -> None:
        if not self.cancelled:
            self.sig_progress.emit(done, total, text)

    @Slot(object, object)
    def _on_finished(self, result: object, error: object) -> None:
        self.finished = True
        try:
            if self.cancelled or isinstance(error, QueryCancelled):
                return
            if isinstance(error, BaseException):
                self.sig_failed.emit(error)
            else:
                self.sig_done.emit(result)
        finally:
            self.sig_closed.emit()
            self.deleteLater()


class QueryRunner(QObject):
    """The reader threads (started on the first query) and the latest query per slot.

    Qt threads, not Python ones: laying out and painting a PDF creates Qt timers, which need
    the event dispatcher a QThread has (a plain Python thread warns and drops them)."""

    def __init__(self, parent: QObject | None = None, *, threads: int = READER_THREADS) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        self._latest: dict[str, Query] = {}
        self._closed = False

    def submit(self, fn: Callable[[TaskState], Any], *, what: str, slot: str | None = None) -> Query:
        """Run ``fn(state)`` on a reader thread. Connect to the returned query's signals right
        away (its answer is queued to the GUI thread, so it cannot arrive before)."""
        query = Query(what, self)
        if slot is not None:
            previous = self._latest.get(slot)
            if previous is not None:
                previous.cancel()
            self._latest[slot] = query
            query.sig_closed.connect(lambda: self._forget(slot, query))
        if self._closed:
            query.cancel()  # the window is closing: nobody is waiting for the answer
            return query
        self._pool.start(lambda: query._run(fn))
        return query

    def _forget(self, slot: str, query: Query) -> None:
        if self._latest.get(slot) is query:
            del self._latest[slot]

    def cancel(self, slot: str) -> None:
        """Drop the slot's running query (e.g. the page closed)."""
        query = self._latest.pop(slot, None)
        if query is not None:
            query.cancel()

    def shutdown(self) -> None:
        """Cancel every query and wait for the reader threads (before the store closes)."""
        self._closed = True
        for query in self._latest.values():
            query.cancel()
        self._latest.clear()
        self._pool.clear()  # queued reads never start
        self._pool.waitForDone()
