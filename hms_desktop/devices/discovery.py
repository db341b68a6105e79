"""Which serial ports exist, which are known oximeter bridges, and what a port speaks.

``autodetect`` opens the port with each protocol's line settings in turn, asks the device
to stream where the protocol needs it, and keeps the first protocol whose frames validate
(enough readings, few dropped bytes). It blocks for up to ~10 s: call it off the GUI thread.
It opens ports exclusively and raises ``ports.PortInUse`` for a port another program (a
monitored bed in another window) holds, instead of listening in on it.
"""

from __future__ import annotations

import re
import sys
import time
from dataclasses import dataclass, replace

import serial
from serial.tools import list_ports as _list_ports

from hms_desktop.devices.ports import PortInUse, close_exclusive, open_exclusive
from hms_desktop.devices.protocols import PROTOCOLS, make_parser

# USB-serial bridges found in pulse oximeters and their cables.
KNOWN_BRIDGES: dict[tuple[int, int], str] = {
    (0x10C4, 0xEA60): "Silicon Labs CP210x (Contec CMS50, BerryMed)",
    (0x067B, 0x2303): "Prolific PL2303",
    (0x0403, 0x6001): "FTDI FT232R",
    (0x1A86, 0x7523): "WCH CH340",
}

# Stricter, faster protocols first; the 1-per-second ones need a longer listen.
AUTODETECT_ORDER = ("cms50-v7", "cms50-legacy", "nonin-df2", "masimo", "text", "nonin-df8")


@dataclass(frozen=True)
class PortInfo:
    path: str  # what to open, by the OS's own name: COM3, /dev/cu.usbserial-1420, /dev/ttyUSB0
    friendly_name: str
    vid: int | None
    pid: int | None
    known_bridge: str | None  # the bridge's name when it is one oximeters are known to use


def known_bridge(vid: int | None, pid: int | None) -> str | None:
    if vid is None or pid is None:
        return None
    return KNOWN_BRIDGES.get((vid, pid))


def list_ports() -> list[PortInfo]:
    """Every serial port the OS reports (USB, built-in, Bluetooth SPP), known bridges first."""
    ports = []
    for port in _list_ports.comports():
        bridge = known_bridge(port.vid, port.pid)
        name = port.description if port.description and port.description != "n/a" else port.device
        if bridge and bridge not in name:
            name = f"{name} — {bridge}"
        ports.append(PortInfo(port.device, name, port.vid, port.pid, bridge))
    return for_this_os(ports, sys.platform)


def for_this_os(ports: list[PortInfo], platform: str) -> list[PortInfo]:
    """The ports a user should pick from, by their OS names, in the order they expect.

    - macOS lists each device twice: ``/dev/tty.X`` waits for a carrier signal that USB
      oximeters never raise (open() hangs), ``/dev/cu.X`` does not; keep ``cu`` only.
    - Windows: ``COM3`` as the OS says it, in number order (COM10 after COM9).
    - Linux: USB (ttyUSB, ttyACM) and Bluetooth (rfcomm) before built-in UARTs (ttyS).
    Known oximeter bridges come first everywhere.
    """
    if platform == "darwin":
        seen = {p.path for p in ports}
        kept = []
        for port in ports:
            if port.path.startswith("/dev/tty."):
                callout = "/dev/cu." + port.path[len("/dev/tty."):]
                if callout in seen:
                    continue
                port = replace(port, path=callout,
                               friendly_name=port.friendly_name.replace(port.path, callout))
            kept.append(port)
        ports = kept
    return sorted(ports, key=lambda p: (p.known_bridge is None, _kind_rank(p.path, platform),
                                        _natural(p.path)))


def _kind_rank(path: str, platform: str) -> int:
    if platform.startswith("linux"):
        name = path.rsplit("/", 1)[-1]
        return 0 if name.startswith(("ttyUSB", "ttyACM", "rfcomm")) else 1
    if platform == "darwin":
        return 0 if "usb" in path.lower() else 1  # cu.usbserial-…, cu.usbmodem… before cu.Bluetooth-Incoming-Port
    return 0


def _natural(path: str) -> tuple[object, ...]:
    """COM2 < COM10, ttyUSB2 < ttyUSB10."""
    return tuple(int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", path))


def autodetect(
    path: str, *, protocols: tuple[str, ...] = AUTODETECT_ORDER, fast_listen_s: float = 0.6,
    slow_listen_s: float = 2.3,
) -> str | None:
    """The name of the protocol the device on ``path`` speaks, or None if none validates.

    Raises ``PortInUse`` (a SerialException) when another program holds the port.
    """
    for name in protocols:
        info = PROTOCOLS[name]
        listen = fast_listen_s if info.frame_rate_hz >= 10 else slow_listen_s
        needed = 5 if info.frame_rate_hz >= 10 else 2
        if _speaks(path, name, listen, needed):
            return name
    return None


def _speaks(path: str, name: str, listen_s: float, needed: int) -> bool:
    info = PROTOCOLS[name]
    try:
        port = open_exclusive(path, baudrate=info.baudrate, parity=info.parity,
                              bytesize=info.bytesize, stopbits=info.stopbits, timeout=0.05)
    except PortInUse:
        raise  # listening would steal a monitored bed's bytes: say so instead
    except (serial.SerialException, OSError, ValueError):
        return False
    parser = make_parser(name)
    received = 0
    count = 0
    try:
        port.reset_input_buffer()
        if info.start_command:
            port.write(info.start_command)
        deadline = time.monotonic() + listen_s
        while time.monotonic() < deadline:
            chunk = port.read(port.in_waiting or 1)
            received += len(chunk)
            count += len(parser.feed(chunk))
            if count >= needed and parser.dropped_bytes <= 0.2 * received:
                return True
        return False
    except (serial.SerialException, OSError):
        return False
    finally:
        close_exclusive(port)
