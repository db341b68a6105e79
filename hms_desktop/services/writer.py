"""The single background writer: every storage write and checkpoint runs here, in order."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class BackgroundWriter:
    """One serial worker thread, so writes never race and the GUI thread never waits on disk."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hms-writer")
        self._closed = False

    def submit(self, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> Future[R]:
        if self._closed:
            raise RuntimeError("the background writer has been shut down")
        return self._executor.submit(fn, *args, **kwargs)

    def drain(self) -> None:
        """Wait until everything submitted so far has finished (tests, shutdown)."""
        self.submit(lambda: None).result()

    def shutdown(self) -> None:
        """Finish queued writes, then stop the thread."""
        if not self._closed:
            self._closed = True
            self._executor.shutdown(wait=True)

    def __enter__(self) -> BackgroundWriter:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.shutdown()
