"""Contec "communication protocol V7.0" (CMS50D+ fw 4.6+, CMS50F/FW/I, SPP variants).

Packets start with a type byte (the only byte with bit 7 clear); byte 1 carries the high
bits of the data bytes, which are sent with bit 7 forced on. Only realtime packets (type
0x01) become readings; other known types are skipped by their length, anything else is
dropped and counted. The device stops streaming unless it gets a keep-alive at least
every 5 s, so the reader sends one (``KEEPALIVE``) on a timer.
"""

from __future__ import annotations

import re

from hms_desktop.devices.protocols.base import (
    BitFlags,
    FrameParser,
    bits_from_flags,
    clamp,
    flags_from_bits,
    pleth_level,
)
from hms_desktop.domain.readings import DeviceFlag, Reading

CMD_START = 0xA1
CMD_STOP = 0xA2
CMD_KEEPALIVE = 0xAF
CMD_RESET = 0xA7
CMD_MODEL = 0xA8
CMD_VENDOR = 0xA9
CMD_DEVICE_ID = 0xAA
CMD_INFO = 0xB0

REALTIME = 0x01
# p0 bit 7 probe error / finger out, bit 4 searching too long; p1 bit 7 searching.
P0_FLAGS: BitFlags = ((0x80, DeviceFlag.FINGER_OUT), (0x10, DeviceFlag.SEARCHING))
P0_ENCODED: BitFlags = P0_FLAGS[:1]  # the simulator says "searching" in p1, as a device does first
P1_FLAGS: BitFlags = ((0x80, DeviceFlag.SEARCHING),)
PI_INVALID = 0xFFFF
PR_INVALID = 0xFF
SPO2_INVALID = 0x7F
KEEPALIVE_DEADLINE_S = 5.0  # the device stops streaming after this long without one

# Packet lengths by type, for skipping the types we do not decode (docs/protocols.md).
# 0x0D (disconnect notice) has no documented length: it is dropped and counted.
PACKET_LENGTHS = {
    0x01: 9, 0x02: 9, 0x03: 9, 0x04: 9, 0x05: 9, 0x06: 4, 0x07: 8, 0x08: 8, 0x09: 6,
    0x0A: 4, 0x0B: 4, 0x0C: 2, 0x0E: 3, 0x0F: 8, 0x10: 3, 0x11: 9, 0x12: 8, 0x13: 9, 0x14: 9,
}


def encode_command(cmd: int) -> bytes:
    """The 9-byte command ``7D 81 <cmd> 80 80 80 80 80 80``."""
    return bytes((0x7D, 0x81, cmd & 0xFF, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80))


START = encode_command(CMD_START)
STOP = encode_command(CMD_STOP)
KEEPALIVE = encode_command(CMD_KEEPALIVE)


def encode_packet(packet_type: int, payload: bytes) -> bytes:
    """Type byte, high-bit byte, then the payload with bit 7 forced on."""
    high = 0x80
    for i, value in enumerate(payload):
        if value & 0x80:
            high |= 1 << i
    return bytes((packet_type, high)) + bytes(v | 0x80 for v in payload)


def decode_payload(packet: bytes) -> bytes:
    high = packet[1]
    return bytes((b & 0x7F) | (((high >> i) & 1) << 7) for i, b in enumerate(packet[2:]))


def _packet_pattern() -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    by_length: dict[int, list[int]] = {}
    for kind, length in PACKET_LENGTHS.items():
        by_length.setdefault(length, []).append(kind)
    alternatives = [
        b"[" + bytes(kinds) + b"][\\x80-\\xff]{%d}" % (length - 1)
        for length, kinds in sorted(by_length.items(), reverse=True)
    ]
    kinds = bytes(sorted(PACKET_LENGTHS))
    return (
        re.compile(b"(?:" + b"|".join(alternatives) + b")"),
        re.compile(b"[" + kinds + b"][\\x80-\\xff]{0,7}"),
    )


class Cms50V7Parser(FrameParser):
    frame_re, prefix_re = _packet_pattern()
    max_frame = 9
    frames_without_reading = True  # packets other than realtime

    def decode(self, frame: bytes) -> Reading | None:
        if frame[0] != REALTIME:
            return None  # a valid packet we do not need (model, info, storage ...)
        p0, p1, p2, p3, p4, p5, p6 = decode_payload(frame)
        flags = flags_from_bits(p0, P0_FLAGS) | flags_from_bits(p1, P1_FLAGS)
        pi_raw = p5 | (p6 << 8)
        pi_valid = bool(p2 & 0x10) and pi_raw != PI_INVALID
        return Reading(
            spo2=None if p4 == SPO2_INVALID else p4,
            pulse_rate=None if p3 == PR_INVALID else p3,
            perfusion_index=pi_raw / 100 if pi_valid else None,
            pleth=((p1 & 0x7F) / 127,),
            signal_strength=p0 & 0x0F,
            beat=bool(p0 & 0x40),
            flags=flags,
        )


class Cms50V7Encoder:
    """Byte-exact realtime packets; perfusion index in percent with 0.01 resolution."""

    def encode(self, reading: Reading, *, bar: int = 0) -> bytes:
        flags = reading.flags
        p0 = clamp(reading.signal_strength or 0, 0, 15) | bits_from_flags(flags, P0_ENCODED)
        if reading.beat:
            p0 |= 0x40
        p1 = pleth_level(reading, 127) | bits_from_flags(flags, P1_FLAGS)
        p2 = clamp(bar, 0, 15)
        pi = PI_INVALID
        if reading.perfusion_index is not None:
            pi = clamp(round(reading.perfusion_index * 100), 0, PI_INVALID - 1)
            p2 |= 0x10
        p3 = PR_INVALID if reading.pulse_rate is None else clamp(reading.pulse_rate, 0, 254)
        p4 = SPO2_INVALID if reading.spo2 is None else clamp(reading.spo2, 0, 126)
        return encode_packet(REALTIME, bytes((p0, p1, p2, p3, p4, pi & 0xFF, pi >> 8)))


def find_commands(data: bytes) -> list[int]:
    """Command codes in bytes a host sent (what the simulated device answers to)."""
    return [m.group(1)[0] for m in _COMMAND_RE.finditer(data)]


_COMMAND_RE = re.compile(rb"\x7d\x81([\x80-\xff])\x80{6}", re.S)
