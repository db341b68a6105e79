"""Shared fixtures: offscreen Qt, a private data folder per test, a thread-leak guard, and the
garbage collector run only between tests.

Python's automatic cyclic collection can start inside any allocation, including one made
while Qt holds its connection mutex (``QObject::disconnect``); a QObject finalised there
waits for the same mutex and the GUI thread deadlocks (issue 11 item 6). The app collects
on a GUI-thread timer instead (``hms_desktop.ui.shell.gc_timer``); the test session collects
between tests, when no Qt call is under way.
"""

from __future__ import annotations

import gc
import os
import tempfile
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# Must be set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia*=false")
# The app's log files go to a private folder, never the real user's log folder.
os.environ.setdefault("HMS_LOG_DIR", tempfile.mkdtemp(prefix="hms-test-logs-"))

import pytest

gc.disable()
SLOW_TEST_TIMEOUT_S = 600


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that needs the PostgreSQL server is ``postgres`` and ``slow`` (the default
    run is the quick one: docs/testing.md); slow tests get a longer timeout than pyproject's."""
    for item in items:
        if _needs_server(item):
            item.add_marker(pytest.mark.postgres)
            item.add_marker(pytest.mark.slow)
        if item.get_closest_marker("slow") and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(SLOW_TEST_TIMEOUT_S))


def _needs_server(item: pytest.Item) -> bool:
    if item.get_closest_marker("postgres") or "pg_url" in getattr(item, "fixturenames", ()):
        return True
    callspec = getattr(item, "callspec", None)  # the "postgresql" side of a both-backends test
    return callspec is not None and "postgresql" in callspec.params.values()


@pytest.fixture(autouse=True)
def collect_garbage_between_tests() -> Iterator[None]:
    """Cyclic garbage is freed here, at a safe point, never inside a Qt call: the generations
    that are due, as the app's GUI-thread timer does (a full collection after every test cost
    ~0.3 s each under load)."""
    from hms_desktop.ui.shell.gc_timer import collect_due_generations

    gc.disable()  # a test that turned the collector on must not leave it on for the next
    yield
    collect_due_generations()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A fresh, empty data folder; no test ever touches the real data/."""
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


class _StartedQThreads:
    """Every QThread started in this session. A QThread is not (or only as a dummy) in
    ``threading.enumerate()``, so the leak guard tracks them here: ``QThread.start`` is wrapped
    once (subclasses such as the device readers' threads inherit it)."""

    def __init__(self) -> None:
        self.threads: weakref.WeakSet[Any] = weakref.WeakSet()
        self._installed = False

    def install(self) -> None:
        if self._installed:
            return
        from PySide6.QtCore import QThread

        original = QThread.start
        threads = self.threads

        def start(thread: QThread, *args: Any, **kwargs: Any) -> None:
            threads.add(thread)
            original(thread, *args, **kwargs)

        QThread.start = start  # type: ignore[method-assign]
        self._installed = True

    def running(self) -> list[Any]:
        alive = []
        for thread in list(self.threads):
            try:
                if thread.isRunning():
                    alive.append(thread)
            except RuntimeError:  # its C++ object is gone: it is not running
                continue
        return alive


_QTHREADS = _StartedQThreads()


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    """Fail any test that leaves a thread running: every thread (Python or QThread) must stop
    cleanly."""
    _QTHREADS.install()
    before = set(threading.enumerate())
    qthreads_before = _QTHREADS.running()
    yield
    deadline = time.monotonic() + 3.0
    while True:
        leaked = [
            t.name for t in threading.enumerate()
            if t not in before and t.is_alive() and not t.daemon
            and not t.name.startswith(("pydevd", "QDBus"))
        ] + [f"QThread {q.objectName() or type(q).__name__}" for q in _QTHREADS.running()
             if not any(q is b for b in qthreads_before)]
        if not leaked or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert not leaked, f"threads left running: {leaked}"
