"""Contec CMS50 legacy realtime frames (5 bytes, 60/s; also BerryMed "BCI" over BLE).

Byte 0 is the only byte with bit 7 set, which is what the parser synchronises on.
Layout and the vector ``C7 40 45 16 61`` are in docs/protocols.md.
Byte 0 bit 5 ("SpO2 dropping" or "probe unplugged" depending on the source) is not
mapped: the sources disagree, and a wrong sensor-off flag would raise a false alarm.
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

SPO2_INVALID = 127
PR_INVALID = 255
B0_FLAGS: BitFlags = ((0x10, DeviceFlag.FINGER_OUT),)
B2_FLAGS: BitFlags = ((0x20, DeviceFlag.SEARCHING), (0x10, DeviceFlag.SENSOR_OFF))


class Cms50LegacyParser(FrameParser):
    frame_re = re.compile(rb"[\x80-\xff][\x00-\x7f]{4}")
    prefix_re = re.compile(rb"[\x80-\xff][\x00-\x7f]{0,3}")
    max_frame = frame_size = 5

    def decode(self, frame: bytes) -> Reading:
        b0, b1, b2, b3, b4 = frame
        pr = ((b2 & 0x40) << 1) | (b3 & 0x7F)
        spo2 = b4 & 0x7F
        return Reading(
            spo2=None if spo2 == SPO2_INVALID else spo2,
            pulse_rate=None if pr == PR_INVALID else pr,
            pleth=((b1 & 0x7F) / 127,),
            signal_strength=b0 & 0x0F,
            beat=bool(b0 & 0x40),
            flags=flags_from_bits(b0, B0_FLAGS) | flags_from_bits(b2, B2_FLAGS),
        )


class Cms50LegacyEncoder:
    """Byte-exact frames as a CMS50D+ sends them; ``bar`` is the bar-graph nibble."""

    def encode(self, reading: Reading, *, bar: int = 0) -> bytes:
        spo2 = SPO2_INVALID if reading.spo2 is None else clamp(reading.spo2, 0, 126)
        pr = PR_INVALID if reading.pulse_rate is None else clamp(reading.pulse_rate, 0, 254)
        flags = reading.flags
        b0 = 0x80 | clamp(reading.signal_strength or 0, 0, 15) | bits_from_flags(flags, B0_FLAGS)
        if reading.beat:
            b0 |= 0x40
        b2 = ((pr >> 1) & 0x40) | clamp(bar, 0, 15) | bits_from_flags(flags, B2_FLAGS)
        return bytes((b0, pleth_level(reading, 127), b2, pr & 0x7F, spo2))
