"""Opening a serial port for this program only: a device is never shared with another one.

Two programs reading one port each get part of the bytes: the waveform distorts and the
numbers fall to "---" while both say "streaming". So every open is exclusive:
- POSIX: pyserial's ``exclusive=True`` takes an ``flock`` on the device (a second HMS
  window, or any program that also locks, fails at once), and ``TIOCEXCL`` makes any
  later plain ``open()`` of the tty fail with EBUSY (root is exempt from TIOCEXCL);
- Windows: COM ports are always opened without sharing ("Access is denied" when taken).
A port taken by someone else raises ``PortInUse`` with a sentence a nurse can act on.
"""

from __future__ import annotations

import errno
import os
from typing import Any

import serial

try:  # POSIX only
    import fcntl
    import termios
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]
    termios = None  # type: ignore[assignment]

_BUSY_ERRNOS = {errno.EBUSY, errno.EAGAIN, errno.EWOULDBLOCK}
_CONFIGURE_ERRORS: tuple[type[Exception], ...] = (OSError, ValueError) + (
    (termios.error,) if termios is not None else ())


class PortInUse(serial.SerialException):
    """The port is open in another program (or another HMS window)."""

    def __init__(self, path: str) -> None:
        super().__init__(f"port {path} is in use by another program")
        self.path = path


class PortNotPermitted(serial.SerialException):
    def __init__(self, path: str) -> None:
        hint = " (on Linux, add your user to the 'dialout' group and log in again)" if os.name == "posix" else ""
        super().__init__(f"no permission to open port {path}{hint}")
        self.path = path


def open_exclusive(path: str, **settings: Any) -> serial.Serial:
    """``serial.Serial(path, **settings)`` that nobody else can open while we hold it."""
    try:
        port = serial.Serial(path, exclusive=True, **settings)
    except serial.SerialException as exc:
        raise _explained(path, exc) from exc
    except _CONFIGURE_ERRORS as exc:
        # pyserial lets termios.error through (a pty reopened with parity does this): the
        # reader must get a SerialException it retries on, never an exception that ends it.
        raise serial.SerialException(f"could not configure port {path}: {exc}") from exc
    if fcntl is not None and hasattr(termios, "TIOCEXCL"):
        try:
            fcntl.ioctl(port.fileno(), termios.TIOCEXCL)
        except OSError:
            pass  # not a tty (a test double, a socket): the flock still protects it
    return port


def close_exclusive(port: serial.Serial) -> None:
    """Lifts TIOCEXCL (it can outlive the close on a pty) and closes the port."""
    if fcntl is not None and hasattr(termios, "TIOCNXCL") and port.is_open:
        try:
            fcntl.ioctl(port.fileno(), termios.TIOCNXCL)
        except (OSError, serial.SerialException):
            pass
    port.close()


def _explained(path: str, exc: serial.SerialException) -> serial.SerialException:
    code = getattr(exc, "errno", None)
    text = str(exc)
    if code in _BUSY_ERRNOS or "exclusively lock" in text:
        return PortInUse(path)
    if os.name == "nt" and ("PermissionError" in text or "Access is denied" in text):
        return PortInUse(path)  # Windows says "access denied" for a COM port someone holds
    if code == errno.EACCES:
        return PortNotPermitted(path)
    return exc
