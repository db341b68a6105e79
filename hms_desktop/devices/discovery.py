"""Which serial ports exist, which are known oximeter bridges, and what a port speaks.

``autodetect`` opens the port with each protocol's line settings in turn, asks the device
to stream where the protocol needs it, and keeps the first protocol whose frames validate
(enough readings, few dropped bytes). It blocks for up to ~10 s: call it off the GUI thread.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import serial
from serial.tools import list_ports as _list_ports

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
    path: str
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
    return sorted(ports, key=lambda p: (p.known_bridge is None, p.path))


def autodetect(
    path: str, *, protocols: tuple[str, ...] = AUTODETECT_ORDER, fast_listen_s: float = 0.6,
    slow_listen_s: float = 2.3,
) -> str | None:
    """The name of the protocol the device on ``path`` speaks, or None if none validates."""
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
        port = serial.Serial(path, baudrate=info.baudrate, parity=info.parity,
                             bytesize=info.bytesize, stopbits=info.stopbits, timeout=0.05)
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
        port.close()
