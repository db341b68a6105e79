"""Masimo Radical-7 / Rad-8 serial "ASCII 1": one line a second, CR LF.

``12/01/05 11:56:29 SN=0123456789 SPO2=098% BPM=240 PI=20.00% ... ALARM=0000 EXC=000820``
Dashes mean "unavailable" and become None. A line glued to noise (a torn line when the
cable is plugged in) is read from its last timestamp; any field that does not fit its
format rejects the whole line, so noise never turns into a number.
"""

from __future__ import annotations

import re
from datetime import datetime

from hms_desktop.devices.protocols.base import (
    BitFlags,
    LineParser,
    bits_from_flags,
    clamp,
    flags_from_bits,
)
from hms_desktop.domain.readings import DeviceFlag, Reading

_STAMP = re.compile(r"(?=(\d\d/\d\d/\d\d \d\d:\d\d:\d\d))")
_TOKEN = re.compile(r"([A-Z][A-Z0-9]*)=(\S+)")
_FORMATS = {
    "SPO2": re.compile(r"(\d{1,3}|-+)%?"),
    "BPM": re.compile(r"\d{1,3}|-+"),
    "PI": re.compile(r"(\d{1,3}\.\d{1,3}|\d{1,3}|[-.]+)%?"),
    "ALARM": re.compile(r"[0-9A-Fa-f]{1,8}"),
    "EXC": re.compile(r"[0-9A-Fa-f]{1,8}"),
}
_REQUIRED = ("SPO2", "BPM")

# EXC bits -> flags (docs/protocols.md). "Sensor off" means off the patient: finger out.
_EXC_FLAGS: BitFlags = (
    (0x1, DeviceFlag.SENSOR_OFF),  # no sensor
    (0x2, DeviceFlag.SENSOR_OFF),  # defective sensor
    (0x4, DeviceFlag.LOW_PERFUSION),
    (0x8, DeviceFlag.SEARCHING),  # pulse search
    (0x10, DeviceFlag.ARTIFACT),  # interference
    (0x20, DeviceFlag.FINGER_OUT),  # sensor off patient
    (0x40, DeviceFlag.ARTIFACT),  # ambient light
    (0x400, DeviceFlag.ARTIFACT),  # low signal IQ
    (0x1000, DeviceFlag.SENSOR_OFF),  # no cable
)
ALARM_LOW_BATTERY = 0x40
_ALARM_FLAGS: BitFlags = ((ALARM_LOW_BATTERY, DeviceFlag.LOW_BATTERY),)


def _number(text: str) -> float | None:
    text = text.rstrip("%")
    return None if text.strip("-.") == "" else float(text)


_STAMP_AT_START = re.compile(rb"\d\d/\d\d/\d\d \d\d:\d\d:\d\d")


class MasimoParser(LineParser):
    """Values a sensor cannot produce (SPO2=113%, BPM=999, PI=99.99) reject the line (limits.py)."""

    errors = "replace"  # noise before the timestamp is cut off; fields must still validate

    def cache_key(self, body: bytes) -> bytes:
        # The reading depends only on what follows the timestamp (a stamp cannot overlap
        # another), so lines from one second to the next share a cached verdict.
        return body[17:] if _STAMP_AT_START.match(body) else body

    def parse_line(self, line: str) -> Reading:
        stamps = list(_STAMP.finditer(line))
        body = line[stamps[-1].start() + 17:] if stamps else line
        fields: dict[str, str] = {}
        for token in body.split():
            match = _TOKEN.fullmatch(token)
            if match is None:
                raise ValueError(f"'{token[:20]}' is not a KEY=VALUE field")
            key, value = match.groups()
            fmt = _FORMATS.get(key)
            if fmt is not None and not fmt.fullmatch(value):
                raise ValueError(f"field {key} has an unreadable value '{value[:20]}'")
            fields[key] = value
        missing = [key for key in _REQUIRED if key not in fields]
        if missing:
            raise ValueError(f"missing field {', '.join(missing)}")
        spo2 = _number(fields["SPO2"])
        bpm = _number(fields["BPM"])
        pi = _number(fields["PI"]) if "PI" in fields else None
        exc = int(fields.get("EXC", "0"), 16)
        alarm = int(fields.get("ALARM", "0"), 16)
        flags = flags_from_bits(exc, _EXC_FLAGS) | flags_from_bits(alarm, _ALARM_FLAGS)
        return Reading(
            spo2=None if spo2 is None else int(spo2),
            pulse_rate=None if bpm is None else int(bpm),
            perfusion_index=pi,
            flags=flags,
        )


class MasimoEncoder:
    """Radical-7 style lines; the timestamp comes from ``at`` (the simulator's clock)."""

    serial_number = "0123456789"

    def encode(self, reading: Reading, *, at: datetime | None = None) -> bytes:
        at = at or datetime(2026, 1, 1)
        spo2 = "---" if reading.spo2 is None else f"{clamp(reading.spo2, 0, 100):03d}"
        bpm = "---" if reading.pulse_rate is None else f"{clamp(reading.pulse_rate, 0, 999):03d}"
        pi = "--.--" if reading.perfusion_index is None else f"{reading.perfusion_index:05.2f}"
        exc = bits_from_flags(reading.flags, _EXC_FLAGS)
        alarm = bits_from_flags(reading.flags, _ALARM_FLAGS)
        line = (
            f"{at:%m/%d/%y %H:%M:%S} SN={self.serial_number} SPO2={spo2}% BPM={bpm} PI={pi}% "
            f"SPCO=--.-% SPMET=--.-% DESAT=-- PIDELTA=+-- PVI=--- ALARM={alarm:04X} EXC={exc:06X}\r\n"
        )
        return line.encode("ascii")

