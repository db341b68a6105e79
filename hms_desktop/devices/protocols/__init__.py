"""Every serial protocol the app can read, by name, with its line settings.

``make_parser(name)`` gives a fresh parser (one per connection: parsers keep partial
frames); ``PROTOCOLS[name]`` says how to open the port and how the device must be asked
to stream. BLE characteristics are in ``ble_gatt`` (they are not byte streams).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from hms_desktop.devices.protocols import cms50_legacy, cms50_v7, masimo, nonin, text_lines
from hms_desktop.devices.protocols.base import Encoder, Parser
from hms_desktop.domain.readings import DeviceFlag

__all__ = ["PROTOCOLS", "Encoder", "Parser", "ProtocolInfo", "make_encoder", "make_parser"]

_F = DeviceFlag


@dataclass(frozen=True)
class ProtocolInfo:
    """How to talk to one kind of device."""

    name: str
    title: str
    baudrate: int
    parity: str  # pyserial: "N", "O", "E"
    frame_rate_hz: float  # frames (readings) per second the device sends
    parser: Callable[[], Parser]
    encoder: Callable[[], Encoder]
    # Flags the protocol can carry, so round-trip tests and the simulator know what is representable.
    flags: frozenset[DeviceFlag] = field(default_factory=frozenset)
    start_command: bytes = b""  # sent after opening the port
    keepalive_command: bytes = b""  # sent every keepalive_s while connected
    keepalive_s: float = 0.0
    bytesize: int = 8
    stopbits: int = 1
    has_pleth: bool = True


PROTOCOLS: dict[str, ProtocolInfo] = {
    info.name: info
    for info in (
        ProtocolInfo(
            "cms50-legacy", "Contec CMS50 (legacy, 19200 odd parity)", 19200, "O", 60.0,
            cms50_legacy.Cms50LegacyParser, cms50_legacy.Cms50LegacyEncoder,
            frozenset({_F.FINGER_OUT, _F.SEARCHING, _F.SENSOR_OFF}),
        ),
        ProtocolInfo(
            "cms50-v7", "Contec CMS50 (protocol V7.0, 115200)", 115200, "N", 60.0,
            cms50_v7.Cms50V7Parser, cms50_v7.Cms50V7Encoder,
            frozenset({_F.FINGER_OUT, _F.SEARCHING}),
            start_command=cms50_v7.START, keepalive_command=cms50_v7.KEEPALIVE, keepalive_s=2.0,
        ),
        ProtocolInfo(
            "nonin-df2", "Nonin (Data Format 2, 9600)", 9600, "N", 75.0,
            nonin.NoninDf2Parser, nonin.NoninDf2Encoder,
            frozenset({_F.SENSOR_OFF, _F.ARTIFACT, _F.SEARCHING, _F.LOW_PERFUSION, _F.LOW_BATTERY}),
            start_command=nonin.select_format_command(2),
        ),
        ProtocolInfo(
            "nonin-df8", "Nonin (Data Format 8, 9600)", 9600, "N", 1.0,
            nonin.NoninDf8Parser, nonin.NoninDf8Encoder,
            frozenset({_F.SENSOR_OFF, _F.ARTIFACT, _F.SEARCHING, _F.LOW_PERFUSION, _F.LOW_BATTERY}),
            start_command=nonin.select_format_command(8), has_pleth=False,
        ),
        ProtocolInfo(
            "masimo", "Masimo Radical-7 / Rad-8 (ASCII 1, 9600)", 9600, "N", 1.0,
            masimo.MasimoParser, masimo.MasimoEncoder,
            frozenset({_F.SENSOR_OFF, _F.FINGER_OUT, _F.LOW_PERFUSION, _F.SEARCHING,
                       _F.ARTIFACT, _F.LOW_BATTERY}),
            has_pleth=False,
        ),
        ProtocolInfo(
            "text", "Plain-text lines (HR=72 SPO2=98 ...), 9600", 9600, "N", 1.0,
            text_lines.TextLineParser, text_lines.TextLineEncoder,
            frozenset(DeviceFlag), has_pleth=False,
        ),
    )
}


def _info(name: str) -> ProtocolInfo:
    try:
        return PROTOCOLS[name]
    except KeyError:
        raise ValueError(f"unknown protocol '{name}' (known: {', '.join(PROTOCOLS)})") from None


def make_parser(name: str) -> Parser:
    """A fresh parser for one connection; ValueError naming the known protocols otherwise."""
    return _info(name).parser()


def make_encoder(name: str) -> Encoder:
    """A fresh encoder (simulator, tests); stateful for Nonin DF2 packets."""
    return _info(name).encoder()
