"""Nonin Data Format 2 (5-byte frames, 75/s, 25-frame packets) and Data Format 8 (4 bytes, 1/s).

DF2 frames carry a checksum; numerics are spread over the 25 frames of a packet (frame 0
HR bits 8-7, frame 1 HR bits 6-0, frame 2 SpO2, frame 7 STAT2 with low battery). Every
DF2 frame becomes one Reading with its pleth sample and the latest numerics decoded so
far, so a view can show numbers on any frame. Until a packet has delivered HR and SpO2
they are None, as for a device that has not yet computed them.
"""

from __future__ import annotations

import re

from hms_desktop.devices.protocols.base import (
    BitFlags,
    FrameParser,
    bits_from_flags,
    clamp,
    flags_from_bits,
    keep_tail,
    pleth_level,
)
from hms_desktop.domain.readings import DeviceFlag, Reading

HR_MISSING = 511
SPO2_MISSING = 127
FRAMES_PER_PACKET = 25
FIRMWARE_REV = 0x2A  # what the simulator reports in frame 3


def select_format_command(data_format: int) -> bytes:
    """``02 70 02 02 <fmt> 03``; the device answers 06 (ACK) or 15 (NAK)."""
    return bytes((0x02, 0x70, 0x02, 0x02, data_format & 0xFF, 0x03))


def find_format_selects(data: bytes) -> list[int]:
    """Data formats a host asked for in ``data`` (what the simulated device answers)."""
    return [m.group(1)[0] for m in _SELECT_RE.finditer(data)]


_SELECT_RE = re.compile(rb"\x02\x70\x02\x02(.)\x03", re.S)
ACK = b"\x06"
NAK = b"\x15"

# DF2 STATUS: bit 7 always set, 6 sensor disconnect, 5 artifact, 4 out of track,
# 3 sensor alarm, 2-1 perfusion (01 green, 10 red, 11 yellow), 0 sync (frame 1 of a packet).
_DF2_SYNC = 0x01


DF2_STATUS_FLAGS: BitFlags = (
    (0x40, DeviceFlag.SENSOR_OFF),
    (0x20, DeviceFlag.ARTIFACT),
    (0x08, DeviceFlag.ARTIFACT),  # sensor alarm: the device is giving unusable data
    (0x10, DeviceFlag.SEARCHING),  # out of track
)
DF2_RED_PERFUSION = 0b10 << 1
DF2_GREEN_PERFUSION = 0b01 << 1


def _df2_flags(status: int) -> frozenset[DeviceFlag]:
    flags = flags_from_bits(status, DF2_STATUS_FLAGS)
    if (status >> 1) & 0x03 in (0b10, 0b11):  # red or yellow perfusion
        flags |= {DeviceFlag.LOW_PERFUSION}
    return flags


class NoninDf2Parser:
    """Checksummed frames: resynchronise by sliding one byte until a checksum validates."""

    _candidate = re.compile(rb"\x01[\x80-\xff]", re.S)

    def __init__(self) -> None:
        self._pending = b""
        self.dropped_bytes = 0
        self._index: int | None = None  # frame index within the packet, None until a SYNC
        self._hr_msb = 0
        self._hr: int | None = None
        self._spo2: int | None = None
        self._low_battery = False
        self._cache: dict[tuple[int, int, int | None, int | None, bool], Reading] = {}

    @property
    def pending_bytes(self) -> int:
        return len(self._pending)

    def feed(self, chunk: bytes) -> list[Reading]:
        buf = self._pending + bytes(chunk)
        out: list[Reading] = []
        pos = 0
        n = len(buf)
        search = self._candidate.search
        while True:
            match = search(buf, pos)
            if match is None or match.start() + 5 > n:
                break
            start = match.start()
            b0, b1, b2, b3, b4 = buf[start:start + 5]
            if (b0 + b1 + b2 + b3) & 0xFF != b4:
                self.dropped_bytes += start + 1 - pos
                pos = start + 1
                continue
            self.dropped_bytes += start - pos
            pos = start + 5
            out.append(self._frame(b1, b2, b3))
        keep = keep_tail(buf, pos, 5, _df2_prefix)
        self.dropped_bytes += keep - pos
        self._pending = buf[keep:]
        return out

    def _frame(self, status: int, pleth: int, value: int) -> Reading:
        if status & _DF2_SYNC:
            self._index = 0
        elif self._index is not None:
            self._index += 1
            if self._index >= FRAMES_PER_PACKET:
                self._index = None  # missed a SYNC: numerics wait for the next packet
        index = self._index
        if index == 0:
            self._hr_msb = value
        elif index == 1:
            hr = ((self._hr_msb & 0x03) << 7) | (value & 0x7F)
            self._hr = None if hr == HR_MISSING else hr
        elif index == 2:
            self._spo2 = None if value == SPO2_MISSING or value > 100 else value
        elif index == 7:
            self._low_battery = bool(value & 0x01)
        key = (status & 0xFE, pleth, self._hr, self._spo2, self._low_battery)
        reading = self._cache.get(key)
        if reading is None:
            if len(self._cache) > 8192:
                self._cache.clear()
            flags = _df2_flags(status)
            if self._low_battery:
                flags |= {DeviceFlag.LOW_BATTERY}
            reading = self._cache[key] = Reading(
                spo2=self._spo2, pulse_rate=self._hr, pleth=(pleth / 255,), flags=flags
            )
        return reading


def _df2_prefix(buf: bytes, start: int) -> bool:
    tail = buf[start:]
    return tail[0] == 0x01 and (len(tail) < 2 or bool(tail[1] & 0x80))


class NoninDf2Encoder:
    """Stateful: each call sends the next frame of a 25-frame packet."""

    def __init__(self) -> None:
        self.index = 0

    def encode(self, reading: Reading) -> bytes:
        index = self.index
        self.index = (index + 1) % FRAMES_PER_PACKET
        flags = reading.flags
        hr = HR_MISSING if reading.pulse_rate is None else clamp(reading.pulse_rate, 0, 510)
        spo2 = SPO2_MISSING if reading.spo2 is None else clamp(reading.spo2, 0, 100)
        value = {
            0: (hr >> 7) & 0x03,
            1: hr & 0x7F,
            2: spo2,
            3: FIRMWARE_REV,
            7: 0x01 if DeviceFlag.LOW_BATTERY in flags else 0x00,
            8: spo2,
        }.get(index, 0)
        perfusion = DF2_RED_PERFUSION if DeviceFlag.LOW_PERFUSION in flags else DF2_GREEN_PERFUSION
        status = 0x80 | perfusion | (_DF2_SYNC if index == 0 else 0)
        status |= bits_from_flags(_as_searching(flags), DF2_STATUS_FLAGS)
        frame = bytes((0x01, status, pleth_level(reading, 255), value))
        return frame + bytes((sum(frame) & 0xFF,))


# DF8: [STATUS1 (bit 7 set), HR_LSB, SpO2, STATUS2], once a second. Only STATUS1 has
# bit 7 set (HR LSB is 7 bits, SpO2 at most 127, STATUS2 uses its low bits), which is
# what the parser synchronises on.


DF8_STATUS1_FLAGS: BitFlags = (
    (0x40, DeviceFlag.SENSOR_OFF),
    (0x20, DeviceFlag.SEARCHING),  # out of track
    (0x10, DeviceFlag.LOW_PERFUSION),
    (0x08, DeviceFlag.LOW_PERFUSION),  # marginal perfusion
    (0x04, DeviceFlag.ARTIFACT),
)
DF8_STATUS2_FLAGS: BitFlags = ((0x01, DeviceFlag.LOW_BATTERY),)


class NoninDf8Parser(FrameParser):
    frame_re = re.compile(rb"[\x80-\xff][\x00-\x7f]{3}")
    prefix_re = re.compile(rb"[\x80-\xff][\x00-\x7f]{0,2}")
    max_frame = 4

    def decode(self, frame: bytes) -> Reading:
        s1, hr_lsb, spo2, s2 = frame
        hr = ((s1 & 0x03) << 7) | hr_lsb
        return Reading(
            spo2=None if spo2 == SPO2_MISSING or spo2 > 100 else spo2,
            pulse_rate=None if hr == HR_MISSING else hr,
            flags=flags_from_bits(s1, DF8_STATUS1_FLAGS) | flags_from_bits(s2, DF8_STATUS2_FLAGS),
        )


class NoninDf8Encoder:
    def encode(self, reading: Reading) -> bytes:
        flags = reading.flags
        hr = HR_MISSING if reading.pulse_rate is None else clamp(reading.pulse_rate, 0, 510)
        spo2 = SPO2_MISSING if reading.spo2 is None else clamp(reading.spo2, 0, 100)
        s1 = 0x80 | ((hr >> 7) & 0x03) | bits_from_flags(_as_searching(flags), DF8_STATUS1_FLAGS)
        s2 = bits_from_flags(flags, DF8_STATUS2_FLAGS)
        return bytes((s1, hr & 0x7F, spo2, s2))


def _as_searching(flags: frozenset[DeviceFlag]) -> frozenset[DeviceFlag]:
    """Nonin has no finger-out bit: with no finger it reports "out of track"."""
    if DeviceFlag.FINGER_OUT in flags:
        return (flags - {DeviceFlag.FINGER_OUT}) | {DeviceFlag.SEARCHING}
    return flags
