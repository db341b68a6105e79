"""One writer per data folder: an advisory lock the operating system drops if we die."""

from __future__ import annotations

import fcntl
import getpass
import json
import os
import socket
from pathlib import Path


class FolderLock:
    """Holds ``<data>/.lock`` exclusively; ``acquired`` is False when another process has it.

    ``flock`` is released by the kernel when the holder exits, even on ``kill -9``, so a
    crash never leaves the folder locked.
    """

    def __init__(self, folder: Path) -> None:
        self.path = folder / ".lock"
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.acquired = False
            self.holder = self._read_holder()
            os.close(self._fd)
            self._fd = -1
            return
        self.acquired = True
        self.holder = {"user": getpass.getuser(), "host": socket.gethostname(), "pid": os.getpid()}
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, json.dumps(self.holder).encode(), 0)

    def _read_holder(self) -> dict[str, object]:
        try:
            data = json.loads(self.path.read_text() or "{}")
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def describe_holder(self) -> str:
        h = self.holder
        if not h:
            return "another program"
        return f"{h.get('user', '?')} on {h.get('host', '?')} (process {h.get('pid', '?')})"

    def release(self) -> None:
        if self._fd >= 0:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = -1
