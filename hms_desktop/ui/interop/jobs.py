"""A background job runner for the interop dialogs: reads and checks off the GUI thread.

Reading and checking a 10,000-row spreadsheet is seconds of work that writes nothing, so it
runs on the dialog's own worker thread, not on the single writer (which must stay free for
saves and the monitor's recordings). Results, failures and progress come back as signals,
on the GUI thread. ``stop()`` cancels and joins the thread (the dialog calls it on close).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal


class JobRunner(QObject):
    sig_progress = Signal(str, float)
    """Progress of the running job: a step and 0..1."""
    sig_done = Signal(object, object)
    """(on_done callback, result) — delivered on the GUI thread."""
    sig_failed = Signal(object, object)
    """(on_error callback, exception)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.cancel = threading.Event()
        self._pool: ThreadPoolExecutor | None = None
        self.sig_done.connect(lambda callback, result: callback(result))
        self.sig_failed.connect(lambda callback, exc: callback(exc))

    def progress(self, step: str, fraction: float) -> None:
        """Thread-safe: a queued signal carries it to the GUI thread."""
        self.sig_progress.emit(step, fraction)

    def start(self, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None],
              on_error: Callable[[BaseException], None], **kwargs: Any) -> Future[Any]:
        self.cancel.clear()
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="interop-job")
        future = self._pool.submit(fn, *args, **kwargs)

        def finished(done: Future[Any]) -> None:
            exc = done.exception()
            if exc is None:
                self.sig_done.emit(on_done, done.result())
            else:
                self.sig_failed.emit(on_error, exc)

        future.add_done_callback(finished)
        return future

    def stop(self) -> None:
        self.cancel.set()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
