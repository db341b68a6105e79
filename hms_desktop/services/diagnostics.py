"""Logs and crash reports: rotating files in the platform's log folder, never patient names.

``setup_logging()`` (the composition root calls it first) sends every log record to
``hms-desktop.log`` (rotated at 2 MB, 5 kept), points ``faulthandler`` at
``native-crashes.log`` so a crash inside Qt or numpy still leaves a Python stack, and
installs ``sys.excepthook`` and ``threading.excepthook``: an unexpected exception is
written to its own ``crash-<time>.txt`` and handed to whoever registered with
``on_crash`` (the window shows a dialog).

Log text passes through ``redact``: any word that is a patient's given or family name
becomes ``‹name›``. IDs (``PAT000123``) stay, so a report can still be traced. The names
come from ``set_name_source`` (the patient table), refreshed at most every 30 seconds.
"""

from __future__ import annotations

import faulthandler
import logging
import logging.handlers
import os
import platform
import re
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from hms_desktop.services.user_folders import user_log_dir

APP_NAME = "HMS Desktop"
LOG_FILE = "hms-desktop.log"
NATIVE_CRASH_FILE = "native-crashes.log"
ENV_LOG_DIR = "HMS_LOG_DIR"
REDACTED = "‹name›"
_WORD = re.compile(r"[^\W\d_](?:[\w'’\-]*[^\W_])?")
_NAME_REFRESH_SECONDS = 30.0

CrashListener = Callable[[str, Path | None], None]  # (what happened, report file)


def log_dir() -> Path:
    """``$HMS_LOG_DIR``, else the platform's log folder (``~/.local/state/HMS Desktop/log``,
    ``~/Library/Logs/HMS Desktop``, ``%LOCALAPPDATA%\\HMS Desktop\\HMS Desktop\\Logs``)."""
    override = os.environ.get(ENV_LOG_DIR)
    return Path(override) if override else user_log_dir()


class NameRedactor:
    """Replaces patients' names in text; the name list is refreshed lazily from a source."""

    def __init__(self) -> None:
        self._source: Callable[[], Iterable[str]] | None = None
        self._names: frozenset[str] = frozenset()
        self._loaded_at = float("-inf")
        self._lock = threading.Lock()

    def set_source(self, source: Callable[[], Iterable[str]] | None) -> None:
        with self._lock:
            self._source = source
            self._loaded_at = float("-inf")
        self._names_now()

    def _names_now(self) -> frozenset[str]:
        with self._lock:
            source = self._source
            if source is None or time.monotonic() - self._loaded_at < _NAME_REFRESH_SECONDS:
                return self._names
            self._loaded_at = time.monotonic()
        try:
            names = frozenset(w for cell in source() for w in _WORD.findall(cell or "") if len(w) > 1)
        except Exception:  # a closed store must not stop logging
            return self._names
        with self._lock:
            self._names = self._names | names  # a name once seen stays redacted
        return self._names

    def redact(self, text: str) -> str:
        names = self._names_now()
        if not names:
            return text
        return _WORD.sub(lambda m: REDACTED if m.group(0) in names else m.group(0), text)


REDACTOR = NameRedactor()


def set_name_source(source: Callable[[], Iterable[str]] | None) -> None:
    """Tell the logs which names to keep out (e.g. every given and family name on file)."""
    REDACTOR.set_source(source)


def redact(text: str) -> str:
    return REDACTOR.redact(text)


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class _State:
    folder: Path | None = None
    native: IO[str] | None = None
    listeners: list[CrashListener] = []
    handler: logging.Handler | None = None


def setup_logging(folder: Path | None = None, *, level: int = logging.INFO) -> Path:
    """Log to rotating files in ``folder`` (default ``log_dir()``) and to stderr; idempotent."""
    folder = Path(folder or log_dir())
    folder.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    if _State.handler is not None:
        root.removeHandler(_State.handler)
        _State.handler.close()
    handler = logging.handlers.RotatingFileHandler(folder / LOG_FILE, maxBytes=2_000_000,
                                                   backupCount=5, encoding="utf-8")
    handler.setFormatter(RedactingFormatter(
        "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"))
    root.addHandler(handler)
    if not any(isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler)
               for h in root.handlers):
        console = logging.StreamHandler()
        console.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(console)
    root.setLevel(level)
    _State.folder, _State.handler = folder, handler
    if _State.native is not None:
        _State.native.close()
    _State.native = open(folder / NATIVE_CRASH_FILE, "a", encoding="utf-8")  # noqa: SIM115 (kept open for faulthandler)
    faulthandler.enable(file=_State.native, all_threads=True)
    sys.excepthook = _on_uncaught
    threading.excepthook = _on_thread_exception
    logging.getLogger(__name__).info(
        "HMS Desktop starting on %s (Python %s, %s); logs in %s", platform.platform(),
        platform.python_version(), sys.executable, folder)
    return folder


def on_crash(listener: CrashListener) -> Callable[[], None]:
    """Call ``listener(summary, report_path)`` after an uncaught exception; returns an undo."""
    _State.listeners.append(listener)
    return lambda: _State.listeners.remove(listener) if listener in _State.listeners else None


def write_crash_report(kind: type[BaseException], value: BaseException, tb: TracebackType | None,
                       thread: str) -> Path | None:
    """The traceback (names redacted) and the versions, in ``crash-<time>.txt``."""
    text = "".join(traceback.format_exception(kind, value, tb))
    body = (f"HMS Desktop crash report\nwhen: {datetime.now().isoformat(timespec='seconds')}\n"
            f"thread: {thread}\nplatform: {platform.platform()}\npython: {sys.version}\n\n{text}")
    folder = _State.folder or log_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"crash-{datetime.now():%Y%m%d-%H%M%S-%f}.txt"
        path.write_text(redact(body), encoding="utf-8")
    except OSError:
        return None
    return path


def _report(kind: type[BaseException], value: BaseException, tb: TracebackType | None,
            thread: str) -> None:
    logging.getLogger("hms_desktop.crash").critical(
        "uncaught %s in thread %s", kind.__name__, thread, exc_info=(kind, value, tb))
    path = write_crash_report(kind, value, tb, thread)
    summary = redact(f"{kind.__name__}: {value}")
    for listener in list(_State.listeners):
        try:
            listener(summary, path)
        except Exception:
            logging.getLogger(__name__).exception("crash listener failed")


def _on_uncaught(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, tb)
        return
    _report(kind, value, tb, threading.current_thread().name)


def _on_thread_exception(args: Any) -> None:
    if args.exc_type is SystemExit:
        return
    name = args.thread.name if args.thread is not None else "?"
    _report(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback, name)


def patient_names(services: Any) -> Callable[[], list[str]]:
    """A name source for ``set_name_source``: every patient's and emergency contact's name."""
    table = services.patients.table

    def names() -> list[str]:
        return [*table.column("given_name"), *table.column("family_name"),
                *table.column("emergency_name")]

    return names
