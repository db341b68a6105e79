"""Where the simulator's bytes go: a pseudo-terminal (default) or an existing serial port.

A pty's slave path changes every time one is made, so ``PtyLink.port`` is a symlink that
always points at the current slave, like udev's /dev/serial/by-id names. Unplugging
removes the link and closes the pty (the reader sees an I/O error, then "no such file"
until the replug makes a new pty behind the same name).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import tty
from pathlib import Path

import serial


class PtyLink:
    def __init__(self) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix="hms-sim-"))
        self.port = str(self._dir / "ttySIM0")
        self.slave_path = ""
        self._master = -1
        self._slave = -1
        self.dropped_bytes = 0  # written while nobody was reading and the pty was full
        self.plug()

    @property
    def plugged(self) -> bool:
        return self._master >= 0

    def plug(self) -> None:
        if self.plugged:
            return
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo, no line editing, even before a program configures it
        os.set_blocking(master, False)
        self._master, self._slave = master, slave
        self.slave_path = os.ttyname(slave)
        temp = self.port + ".new"
        os.symlink(self.slave_path, temp)
        os.replace(temp, self.port)

    def unplug(self) -> None:
        if not self.plugged:
            return
        try:
            os.unlink(self.port)
        except FileNotFoundError:
            pass
        os.close(self._master)
        os.close(self._slave)
        self._master = self._slave = -1

    def fileno(self) -> int:
        return self._master

    def write(self, data: bytes) -> None:
        if not self.plugged or not data:
            return
        try:
            written = os.write(self._master, data)
        except (BlockingIOError, OSError):
            written = 0
        self.dropped_bytes += len(data) - written

    def read(self) -> bytes:
        if not self.plugged:
            return b""
        try:
            return os.read(self._master, 4096)
        except (BlockingIOError, OSError):
            return b""

    def close(self) -> None:
        self.unplug()
        shutil.rmtree(self._dir, ignore_errors=True)


class SerialLink:
    """An existing port (a USB-serial adapter looped to the app's, or one end of socat).

    A real port cannot be unplugged from software: the unplug scenario makes it silent.
    """

    def __init__(self, path: str, baudrate: int, parity: str) -> None:
        self.port = path
        self._serial = serial.Serial(path, baudrate=baudrate, parity=parity, timeout=0,
                                     write_timeout=0)
        self._silent = False
        self.dropped_bytes = 0

    @property
    def plugged(self) -> bool:
        return not self._silent

    def plug(self) -> None:
        self._silent = False

    def unplug(self) -> None:
        self._silent = True

    def fileno(self) -> int:
        return int(self._serial.fileno())

    def write(self, data: bytes) -> None:
        if self._silent or not data:
            return
        try:
            written = self._serial.write(data) or 0
        except serial.SerialTimeoutException:
            written = 0
        self.dropped_bytes += len(data) - written

    def read(self) -> bytes:
        return bytes(self._serial.read(self._serial.in_waiting or 0))

    def close(self) -> None:
        self._serial.close()
