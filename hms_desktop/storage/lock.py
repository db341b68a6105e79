"""One writer per data folder: an OS lock that is dropped if the holder dies, on every OS.

``portalocker`` takes ``flock`` on Linux and macOS and ``msvcrt.locking`` (a byte-range
lock on the first 64 KiB) on Windows. Either way the operating system releases the lock
when the holder exits, even on ``kill -9`` or a power cut, so a crash never leaves the
folder locked.

Who holds the folder is written to ``.lock.holder`` (JSON: user, host, process, when), a
separate file because on Windows nobody but the holder may read the locked bytes of
``.lock``. On Linux and macOS ``.lock`` carries the same JSON too, as it always has.
"""

from __future__ import annotations

import errno
import getpass
import json
import logging
import os
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import portalocker
import psutil

log = logging.getLogger(__name__)
LOCK_NAME = ".lock"
HOLDER_NAME = ".lock.holder"
# Errors that mean "this account may not write here" (a folder of another OS user, read-only
# media, a write-protected network share) rather than a fault to report as a crash.
_NOT_WRITABLE = {errno.EACCES, errno.EPERM, errno.EROFS}


def file_mode() -> int:
    """Mode for files holding patient data: owner only on POSIX; Windows ignores it (ACLs rule)."""
    return 0o666 if on_windows() else 0o600


def on_windows() -> bool:
    """Read at call time (not import time) so tests can take the Windows branch anywhere."""
    return sys.platform == "win32"


def process_alive(pid: int) -> bool:
    """True when a process ``pid`` runs on this machine (psutil: ``os.kill(pid, 0)`` would
    *terminate* the process on Windows)."""
    try:
        return pid > 0 and bool(psutil.pid_exists(pid))
    except (OSError, ValueError):
        return True  # unknown: never call a live holder stale


class FolderLock:
    """Holds ``<data>/.lock`` exclusively; ``acquired`` is False when this process may not write.

    ``refusal`` says why not, in words for the status bar: another program holds the folder
    (named), or this account may not write the folder at all. ``stale_holder`` is the record
    left by a holder that died without releasing (its process is gone): the folder is taken
    over and the crash is logged, nothing else is needed because the journal has every write.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / LOCK_NAME
        self.holder_path = self.folder / HOLDER_NAME
        self.acquired = False
        self.holder: dict[str, Any] = {}
        self.refusal = ""
        self.stale_holder: dict[str, Any] = {}
        self._handle: IO[bytes] | None = None
        try:
            handle = self._open()
        except OSError as exc:
            if exc.errno not in _NOT_WRITABLE:
                raise
            self.refusal = _not_writable_text(self.folder, exc)
            return
        try:
            portalocker.lock(handle, portalocker.LOCK_EX | portalocker.LOCK_NB)
        except portalocker.LockException:
            handle.close()
            self.holder = self._read_holder()
            self.refusal = self._held_text()
            return
        self._handle = handle
        self.acquired = True
        previous = self._read_holder()
        if previous and previous.get("pid") and not self._released_cleanly(previous):
            self.stale_holder = previous
            log.warning("%s: the previous session (process %s on %s, since %s) ended without closing "
                        "(a crash or power cut); its saved writes are in the journals", self.folder,
                        previous.get("pid"), previous.get("host"), previous.get("since", "?"))
        self.holder = {
            "user": _os_user(), "host": socket.gethostname(), "pid": os.getpid(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"), "platform": sys.platform,
        }
        self._write_holder(self.holder)

    def _open(self) -> IO[bytes]:
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0)
        fd = os.open(self.path, flags, file_mode())
        return os.fdopen(fd, "r+b", buffering=0)

    def _released_cleanly(self, previous: dict[str, Any]) -> bool:
        return bool(previous.get("released"))

    def _write_holder(self, holder: dict[str, Any]) -> None:
        data = json.dumps(holder).encode()
        try:
            fd = os.open(self.holder_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, file_mode())
            with os.fdopen(fd, "wb") as out:
                out.write(data)
        except OSError:
            pass  # the name is a courtesy for the second window; the lock itself is what counts
        if not on_windows() and self._handle is not None:
            os.ftruncate(self._handle.fileno(), 0)
            os.pwrite(self._handle.fileno(), data, 0)

    def _read_holder(self) -> dict[str, Any]:
        for path in (self.holder_path, self.path):
            try:
                data = json.loads(path.read_text(encoding="utf-8") or "{}")
            except (OSError, ValueError, UnicodeDecodeError):
                continue  # Windows: the locked bytes of .lock cannot be read by others
            if isinstance(data, dict) and data:
                return data
        return {}

    def describe_holder(self) -> str:
        h = self.holder
        if not h:
            return "another program"
        text = f"{h.get('user', '?')} on {h.get('host', '?')} (process {h.get('pid', '?')})"
        if self.holder_looks_stale():
            text += (" — that process is no longer running on this computer; if the folder is on a "
                     "network share, the share still holds its lock: close HMS Desktop everywhere "
                     "and reopen")
        return text

    def holder_looks_stale(self) -> bool:
        """The holder is on this machine and its process is gone, yet the lock is held
        (a network file system that kept a dead client's lock)."""
        h = self.holder
        pid = h.get("pid")
        return (h.get("host") == socket.gethostname() and isinstance(pid, int)
                and not process_alive(pid))

    def _held_text(self) -> str:
        return f"{self.folder} is open for writing by {self.describe_holder()}; this window is read-only"

    def release(self) -> None:
        if self._handle is None:
            return
        self._write_holder({**self.holder, "released": datetime.now(UTC).isoformat(timespec="seconds")})
        portalocker.unlock(self._handle)
        self._handle.close()
        self._handle = None


def _not_writable_text(folder: Path, exc: OSError) -> str:
    if exc.errno == errno.EROFS:
        why = "it is on read-only media"
    else:
        why = f"this account ({_os_user()}) may not write there"
    return (f"{folder} opens read-only because {why} ({exc.strerror or exc}); nothing can be saved. "
            "Copy the folder somewhere you may write, or ask its owner for write permission")


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"
