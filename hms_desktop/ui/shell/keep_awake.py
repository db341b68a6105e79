"""Keep the machine and the display awake while beds are monitored (issue 11 item 6).

A nurse station that blanks its screen or suspends shows nothing and sounds nothing. Each OS
has its own switch; ``KeepAwake.hold(reason)`` uses what this machine has and ``release()``
lets it sleep again:

- Linux: the session's ``org.freedesktop.ScreenSaver.Inhibit`` over D-Bus (screen blanking,
  via QtDBus when the binding has it) and ``systemd-inhibit --what=idle:sleep`` (suspend);
- Windows: ``SetThreadExecutionState(ES_CONTINUOUS | ES_SYSTEM_REQUIRED | ES_DISPLAY_REQUIRED)``
  from the GUI thread (the state belongs to the calling thread, which lives as long as the app);
- macOS: ``caffeinate -d -i -s -w <our pid>`` (ends by itself if we die).

Every branch is a small function; tests exercise each by monkeypatching ``sys.platform``,
``shutil.which``, ``subprocess.Popen`` and the Windows call. Failures are logged and said
(``held`` lists what worked), never raised: monitoring must not stop because a screensaver
could not be told.
"""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

APP = "HMS Desktop"
ES_CONTINUOUS = 0x80000000
ES_SYSTEM_REQUIRED = 0x00000001
ES_DISPLAY_REQUIRED = 0x00000002


class KeepAwake:
    def __init__(self) -> None:
        self.held: list[str] = []
        self._undo: list[Callable[[], None]] = []

    @property
    def holding(self) -> bool:
        return bool(self._undo)

    def hold(self, reason: str) -> list[str]:
        """Inhibit sleep and screen blanking (idempotent); returns what is held."""
        if self._undo:
            return self.held
        if sys.platform.startswith("linux"):
            self._try("screen saver (D-Bus)", lambda: _dbus_screensaver(reason))
            self._try("suspend (systemd-inhibit)", lambda: _systemd_inhibit(reason))
        elif sys.platform == "win32":
            self._try("sleep and display (SetThreadExecutionState)", _windows_execution_state)
        elif sys.platform == "darwin":
            self._try("sleep and display (caffeinate)", _caffeinate)
        if not self._undo:
            log.warning("could not keep this machine awake while monitoring (%s)", sys.platform)
        return self.held

    def release(self) -> None:
        undo, self._undo, self.held = self._undo, [], []
        for step in reversed(undo):
            try:
                step()
            except Exception:  # noqa: BLE001 - letting the machine sleep again must not crash
                log.exception("releasing the sleep inhibitor failed")

    def set_holding(self, on: bool, reason: str = "patients are being monitored") -> None:
        if on:
            self.hold(reason)
        else:
            self.release()

    def _try(self, what: str, start: Callable[[], Callable[[], None] | None]) -> None:
        try:
            undo = start()
        except Exception as exc:  # noqa: BLE001 - each mechanism is optional
            log.info("keep awake: %s not available: %s", what, exc)
            return
        if undo is not None:
            self._undo.append(undo)
            self.held.append(what)


def _process(command: list[str]) -> Callable[[], None]:
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)

    def stop() -> None:
        proc.terminate()
        try:
            proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    return stop


def _systemd_inhibit(reason: str) -> Callable[[], None] | None:
    tool = shutil.which("systemd-inhibit")
    if tool is None:
        return None
    # "sleep infinity" holds the inhibitor until we end it; --mode=block refuses idle suspend.
    return _process([tool, "--what=idle:sleep", f"--who={APP}", f"--why={reason}", "--mode=block",
                     "sleep", "infinity"])


def _caffeinate() -> Callable[[], None] | None:
    tool = shutil.which("caffeinate")
    if tool is None:
        return None
    return _process([tool, "-d", "-i", "-s", "-w", str(os.getpid())])


def _windows_execution_state() -> Callable[[], None] | None:
    kernel32: Any = ctypes.windll.kernel32  # type: ignore[attr-defined]
    if not kernel32.SetThreadExecutionState(ES_CONTINUOUS | ES_SYSTEM_REQUIRED | ES_DISPLAY_REQUIRED):
        raise OSError("SetThreadExecutionState refused")
    return lambda: kernel32.SetThreadExecutionState(ES_CONTINUOUS)


def _dbus_screensaver(reason: str) -> Callable[[], None] | None:
    try:
        from PySide6.QtDBus import QDBusConnection, QDBusInterface
    except ImportError:
        return None
    bus = QDBusConnection.sessionBus()
    if not bus.isConnected():
        return None
    iface = QDBusInterface("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver",
                           "org.freedesktop.ScreenSaver", bus)
    if not iface.isValid():
        return None
    reply = iface.call("Inhibit", APP, reason)
    cookie = reply.arguments()[0] if reply.arguments() else None
    if cookie is None:
        return None

    def uninhibit() -> None:
        iface.call("UnInhibit", cookie)

    return uninhibit
