"""Nonin Data Format 2 (5-byte frames, 75/s, 25-frame packets) and Data Format 8 (4 bytes, 1/s).

DF2 frames carry a checksum; numerics are spread over the 25 frames of a packet (frame 0
HR bits 8-7, frame 1 HR bits 6-0, frame 2 SpO2, frame 7 STAT2 with low battery). Every
DF2 frame becomes one Reading with its pleth sample and the latest numerics decoded so
far, so a view can show numbers on any frame. Until a packet has delivered HR and SpO2
they are None, as for a device that has not yet computed them.
"""

from __future__ import annotations

import re

import numpy as np
from numpy.typing import NDArray

from hms_desktop.devices.protocols.base import (
    BitFlags,
    FrameParser,
    ParserStats,
    VerdictCache,
    bits_from_flags,
    clamp,
    flags_from_bits,
    keep_tail,
    pleth_level,
)
from hms_desktop.devices.protocols.limits import PULSE, SPO2
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


class NoninDf2Parser(ParserStats):
    """Checksummed frames, found with numpy over the whole buffer (no Python loop per byte).

    A frame starts at every 01 followed by a status byte (bit 7 set) whose checksum holds;
    where noise makes such starts overlap, the first one wins and the search goes on after
    it, as a byte-by-byte reader sliding one byte on a checksum failure would do. The
    packet state (frame index, HR, SpO2, low battery) is then computed for all frames at
    once. An HR of 351-510 or an SpO2 of 101-126 (or above 127) is a bad frame: that frame
    is dropped and the value is unknown (None) until the next packet brings a valid one.
    """

    def __init__(self) -> None:
        super().__init__()
        self._pending = b""
        self._index: int | None = None  # frame index within the packet, None until a SYNC
        self._hr_msb = 0
        self._hr: int | None = None
        self._spo2: int | None = None
        self._low_battery = False
        # Packet state (HR, SpO2, battery) is checked before a key is made, so every key is a Reading.
        self._verdicts: VerdictCache[int] = VerdictCache(_df2_reading)

    @property
    def pending_bytes(self) -> int:
        return len(self._pending)

    def feed(self, chunk: bytes) -> list[Reading]:
        buf = self._pending + bytes(chunk)
        if len(buf) < SMALL_BUFFER:  # a live read (~30 bytes): numpy's fixed cost would dominate
            starts_list = _df2_frame_starts_small(buf)
            pos = starts_list[-1] + 5 if starts_list else 0
            out = self._frames_small(buf, starts_list)
            count = len(starts_list)
        else:
            data = np.frombuffer(buf, np.uint8)
            starts = _df2_frame_starts(data)
            pos = int(starts[-1]) + 5 if len(starts) else 0
            out = self._frames(data, starts) if len(starts) else []
            count = len(starts)
        keep = keep_tail(buf, pos, 5, _df2_prefix)
        self.dropped_bytes += keep - 5 * count
        self._pending = buf[keep:]
        return out

    def _frames_small(self, buf: bytes, starts: list[int]) -> list[Reading]:
        """The same packet state machine as ``_frames``, one frame at a time (equal by test)."""
        keys: list[int] = []
        for start in starts:
            status, pleth, value = buf[start + 1], buf[start + 2], buf[start + 3]
            if status & _DF2_SYNC:
                index: int | None = 0
            else:
                index = None if self._index is None or self._index + 1 >= FRAMES_PER_PACKET else self._index + 1
            self._index = index
            if index == 0:
                self._hr_msb = value
            elif index == 1:
                hr = ((self._hr_msb & 0x03) << 7) | (value & 0x7F)
                self._hr = None if hr == HR_MISSING or hr > PULSE.high else hr
                if hr != HR_MISSING and hr > PULSE.high:
                    self._bad(5, f"bad frame {buf[start:start + 5].hex(' ')}: {PULSE.reason(hr)}")
                    continue
            elif index == 2:
                self._spo2 = None if value == SPO2_MISSING or value > SPO2.high else value
                if value != SPO2_MISSING and value > SPO2.high:
                    self._bad(5, f"bad frame {buf[start:start + 5].hex(' ')}: {SPO2.reason(value)}")
                    continue
            elif index == 7:
                self._low_battery = bool(value & 0x01)
            hr_code = 0 if self._hr is None else self._hr + 1
            spo2_code = 0 if self._spo2 is None else self._spo2 + 1
            key = ((status & 0xFE) << 25) | (pleth << 17) | (hr_code << 8) | (spo2_code << 1) | self._low_battery
            keys.append(key)
        return self._readings(keys)

    def _frames(self, data: NDArray[np.uint8], starts: NDArray[np.intp]) -> list[Reading]:
        count = len(starts)
        status = data[starts + 1].astype(np.int64)
        pleth = data[starts + 2].astype(np.int64)
        value = data[starts + 3].astype(np.int64)
        position = np.arange(count)
        # Frame index in its packet: frames since the last SYNC (25 or more: lost, None).
        before = _NEVER if self._index is None else -1 - self._index
        last_sync = np.maximum.accumulate(np.where(status & _DF2_SYNC, position, before))
        index = position - last_sync
        index[index >= FRAMES_PER_PACKET] = -1
        previous_value = np.concatenate(([self._hr_msb], value[:-1]))
        hr_raw = ((previous_value & 0x03) << 7) | (value & 0x7F)
        hr_event = index == 1
        spo2_event = index == 2
        bad = (hr_event & (hr_raw > PULSE.high) & (hr_raw != HR_MISSING)) | (
            spo2_event & (value > SPO2.high) & (value != SPO2_MISSING))
        hr = np.where(hr_raw == HR_MISSING, -1, hr_raw)
        spo2 = np.where(value == SPO2_MISSING, -1, value)
        hr[bad] = -1
        spo2[bad] = -1
        hr_now = _hold(hr_event, hr, -1 if self._hr is None else self._hr)
        spo2_now = _hold(spo2_event, spo2, -1 if self._spo2 is None else self._spo2)
        battery_now = _hold(index == 7, value & 0x01, int(self._low_battery))
        keys = (((status & 0xFE) << 25) | (pleth << 17) | ((hr_now + 1) << 8)
                | ((spo2_now + 1) << 1) | battery_now)
        last = int(index[-1])
        self._index = None if last < 0 else last
        msb_frames = np.flatnonzero(index == 0)
        if len(msb_frames):
            self._hr_msb = int(value[msb_frames[-1]])
        self._hr = None if hr_now[-1] < 0 else int(hr_now[-1])
        self._spo2 = None if spo2_now[-1] < 0 else int(spo2_now[-1])
        self._low_battery = bool(battery_now[-1])
        if bad.any():
            self._count_bad(data, starts[bad], hr_raw[bad], value[bad], hr_event[bad])
            keys = keys[~bad]
        return self._readings(keys.tolist())

    def _readings(self, keys: list[int]) -> list[Reading]:
        return self._verdicts.lookup(keys)  # type: ignore[return-value]  # _df2_reading never rejects

    def _count_bad(self, data: NDArray[np.uint8], starts: NDArray[np.intp], hr: NDArray[np.int64],
                   value: NDArray[np.int64], is_hr: NDArray[np.bool_]) -> None:
        for start, hr_value, spo2_value, hr_frame in zip(
                starts.tolist(), hr.tolist(), value.tolist(), is_hr.tolist(), strict=True):
            reason = PULSE.reason(hr_value) if hr_frame else SPO2.reason(spo2_value)
            frame = bytes(data[start:start + 5])
            self._bad(5, f"bad frame {frame.hex(' ')}: {reason}")


_NEVER = -(1 << 40)  # "no SYNC seen yet": every index computed from it is out of range
SMALL_BUFFER = 256
_DF2_CANDIDATE = re.compile(rb"\x01[\x80-\xff]", re.S)


def _df2_frame_starts_small(buf: bytes) -> list[int]:
    """``_df2_frame_starts`` for a short buffer: slide one byte past a failed checksum."""
    starts: list[int] = []
    pos, n = 0, len(buf)
    while (match := _DF2_CANDIDATE.search(buf, pos)) is not None and match.start() + 5 <= n:
        start = match.start()
        if sum(buf[start:start + 4]) & 0xFF == buf[start + 4]:
            starts.append(start)
            pos = start + 5
        else:
            pos = start + 1
    return starts


def _df2_frame_starts(data: NDArray[np.uint8]) -> NDArray[np.intp]:
    """Starts of checksum-valid frames, first come first served where noise makes them overlap."""
    n = len(data)
    if n < 5:
        return np.empty(0, np.intp)
    candidates = np.flatnonzero((data[:n - 4] == 0x01) & (data[1:n - 3] >= 0x80))
    if not len(candidates):
        return candidates
    total = data[candidates] + data[candidates + 1] + data[candidates + 2] + data[candidates + 3]
    valid: NDArray[np.intp] = candidates[total == data[candidates + 4]]  # uint8: the sum mod 256
    if len(valid) < 2 or int(np.diff(valid).min()) >= 5:
        return valid
    chosen: list[int] = []
    end = 0
    for start in valid.tolist():  # only where noise forged overlapping frames: per frame, not per byte
        if start >= end:
            chosen.append(start)
            end = start + 5
    return np.asarray(chosen, dtype=np.intp)


def _hold(event: NDArray[np.bool_], values: NDArray[np.int64], before: int) -> NDArray[np.int64]:
    """Each frame's latest value: ``values`` at the last event up to it, ``before`` if none yet."""
    last = np.maximum.accumulate(np.where(event, np.arange(len(event)), -1))
    return np.where(last >= 0, values[last], before)


def _df2_reading(key: int) -> Reading:
    status, pleth = key >> 25, (key >> 17) & 0xFF
    hr, spo2 = ((key >> 8) & 0x1FF) - 1, ((key >> 1) & 0x7F) - 1
    flags = _df2_flags(status)
    if key & 0x01:
        flags |= {DeviceFlag.LOW_BATTERY}
    return Reading(spo2=None if spo2 < 0 else spo2, pulse_rate=None if hr < 0 else hr,
                   pleth=(pleth / 255,), flags=flags)


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
    max_frame = frame_size = 4

    def decode(self, frame: bytes) -> Reading:
        s1, hr_lsb, spo2, s2 = frame
        hr = ((s1 & 0x03) << 7) | hr_lsb
        return Reading(
            spo2=None if spo2 == SPO2_MISSING else spo2,  # 101-126: a bad frame (limits.py)
            pulse_rate=None if hr == HR_MISSING else hr,  # 351-510: a bad frame
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
