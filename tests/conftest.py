"""Shared fixtures: offscreen Qt, a private data folder per test, and a thread-leak guard."""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

# Must be set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia*=false")
# The app's log files go to a private folder, never the real user's log folder.
os.environ.setdefault("HMS_LOG_DIR", tempfile.mkdtemp(prefix="hms-test-logs-"))

import pytest


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A fresh, empty data folder; no test ever touches the real data/."""
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    """Fail any test that leaves a thread running: every thread must stop cleanly."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 3.0
    while True:
        leaked = [
            t for t in threading.enumerate()
            if t not in before and t.is_alive() and not t.daemon
            and not t.name.startswith(("pydevd", "QDBus"))
        ]
        if not leaked or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert not leaked, f"threads left running: {[t.name for t in leaked]}"
