"""Pure parsers for Bluetooth LE standard characteristics and the BerryMed UART service.

No bleak here: these take the bytes of one notification, so they are tested without a
radio. ``devices/ble.py`` subscribes with bleak and feeds them.
Heart Rate Measurement 0x2A37, PLX Continuous Measurement 0x2A5F, Temperature
Measurement 0x2A1C, and BerryMed BM1000 (legacy CMS50 frames inside notifications).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable
from typing import Protocol

from hms_desktop.devices.protocols.base import (
    BitFlags,
    Parser,
    ParserStats,
    VerdictCache,
    bits_from_flags,
    flags_from_bits,
    judged,
)
from hms_desktop.devices.protocols.cms50_legacy import Cms50LegacyParser
from hms_desktop.devices.protocols.limits import (
    PERFUSION_INDEX,
    PULSE,
    SPO2,
    TEMPERATURE_C,
    Limit,
)
from hms_desktop.domain.readings import DeviceFlag, Reading

HEART_RATE_MEASUREMENT = "00002a37-0000-1000-8000-00805f9b34fb"
PLX_CONTINUOUS = "00002a5f-0000-1000-8000-00805f9b34fb"
TEMPERATURE_MEASUREMENT = "00002a1c-0000-1000-8000-00805f9b34fb"
BERRYMED_SERVICE = "49535343-fe7d-4ae5-8fa9-9fafd205e455"
BERRYMED_NOTIFY = "49535343-1e4d-4bd9-ba61-23c647249616"

SFLOAT_SPECIAL = {0x07FF: math.nan, 0x0800: math.nan, 0x07FE: math.inf, 0x0802: -math.inf,
                  0x0801: math.nan}  # NaN, NRes, +inf, -inf, reserved


def decode_sfloat(raw: int) -> float:
    """IEEE 11073 16-bit SFLOAT: 4-bit signed exponent, 12-bit signed mantissa."""
    raw &= 0xFFFF
    mantissa = raw & 0x0FFF
    if mantissa in SFLOAT_SPECIAL:
        return SFLOAT_SPECIAL[mantissa]
    exponent = raw >> 12
    if exponent >= 8:
        exponent -= 16
    if mantissa >= 0x800:
        mantissa -= 0x1000
    return mantissa * 10.0**exponent


def encode_sfloat(value: float | None, *, exponent: int = 0) -> int:
    """None -> NaN; otherwise ``value`` with the given decimal exponent."""
    if value is None or math.isnan(value):
        return 0x07FF
    mantissa = round(value / 10.0**exponent)
    if not -2046 <= mantissa <= 2045:
        raise ValueError(f"{value} does not fit an SFLOAT with exponent {exponent}")
    return ((exponent & 0x0F) << 12) | (mantissa & 0x0FFF)


def decode_float32(raw: int) -> float:
    """IEEE 11073 32-bit FLOAT: 8-bit signed exponent, 24-bit signed mantissa."""
    mantissa = raw & 0xFFFFFF
    if mantissa in (0x7FFFFF, 0x800000, 0x800001):
        return math.nan
    if mantissa == 0x7FFFFE:
        return math.inf
    if mantissa == 0x800002:
        return -math.inf
    exponent = (raw >> 24) & 0xFF
    if exponent >= 128:
        exponent -= 256
    if mantissa >= 0x800000:
        mantissa -= 0x1000000
    return mantissa * 10.0**exponent


def encode_float32(value: float, *, exponent: int = -2) -> int:
    mantissa = round(value / 10.0**exponent)
    return ((exponent & 0xFF) << 24) | (mantissa & 0xFFFFFF)


def _measured(value: float, limit: Limit) -> float | None:
    """NaN / NRes (the "no value" markers) -> None; infinities and impossible values raise."""
    if math.isnan(value):
        return None
    reason = limit.reason(value)  # an infinity is outside every limit
    if reason is not None:
        raise ValueError(reason)
    return value


def _need(data: bytes, size: int, what: str) -> None:
    if len(data) < size:
        raise ValueError(f"{what}: {len(data)} bytes, need at least {size}")


def parse_heart_rate(data: bytes) -> Reading:
    """0x2A37: flags, HR (uint8 or uint16), energy expended?, RR intervals (1/1024 s)?"""
    _need(data, 2, "heart rate measurement")
    flags = data[0]
    offset = 1
    if flags & 0x01:
        _need(data, 3, "heart rate measurement (16-bit)")
        hr = int.from_bytes(data[1:3], "little")
        offset = 3
    else:
        hr = data[1]
        offset = 2
    if flags & 0x08:
        _need(data, offset + 2, "heart rate measurement (energy expended)")
        offset += 2
    rr: list[float] = []
    if flags & 0x10:
        if (len(data) - offset) % 2:
            raise ValueError("heart rate measurement: odd number of RR-interval bytes")
        rr = [v / 1024 for (v,) in struct.iter_unpack("<H", data[offset:])]
    contact = (flags >> 1) & 0x03
    reading_flags = frozenset({DeviceFlag.SENSOR_OFF}) if contact == 0b10 else frozenset()
    return Reading(heart_rate=hr or None, rr_intervals_s=tuple(rr), flags=reading_flags)


def encode_heart_rate(hr: int, *, contact: bool | None = True, rr_s: tuple[float, ...] = ()) -> bytes:
    flags = 0x00 if contact is None else (0x06 if contact else 0x04)
    body = bytes((hr,)) if hr < 256 else hr.to_bytes(2, "little")
    if hr >= 256:
        flags |= 0x01
    if rr_s:
        flags |= 0x10
        body += b"".join(round(v * 1024).to_bytes(2, "little") for v in rr_s)
    return bytes((flags,)) + body


# PLX device & sensor status bits (uint24) -> flags
_PLX_STATUS: BitFlags = ((1 << 11, DeviceFlag.FINGER_OUT), (1 << 15, DeviceFlag.SENSOR_OFF),
               (1 << 5, DeviceFlag.LOW_PERFUSION), (1 << 3, DeviceFlag.ARTIFACT))


def parse_plx_continuous(data: bytes) -> Reading:
    """0x2A5F: flags, SpO2 SFLOAT, PR SFLOAT, optional fields by flag bit."""
    _need(data, 5, "PLX continuous measurement")
    flags = data[0]
    spo2, pr = (decode_sfloat(v) for v in struct.unpack_from("<HH", data, 1))
    offset = 5
    for bit, size in ((0x01, 4), (0x02, 4), (0x04, 2)):
        if flags & bit:
            offset += size
    reading_flags: frozenset[DeviceFlag] = frozenset()
    if flags & 0x08:
        _need(data, offset + 3, "PLX continuous measurement (device status)")
        status = int.from_bytes(data[offset:offset + 3], "little")
        reading_flags = flags_from_bits(status, _PLX_STATUS)
        offset += 3
    pai: float | None = None
    if flags & 0x10:
        _need(data, offset + 2, "PLX continuous measurement (pulse amplitude index)")
        pai = _measured(decode_sfloat(int.from_bytes(data[offset:offset + 2], "little")),
                        PERFUSION_INDEX)
    _need(data, offset, "PLX continuous measurement")
    spo2_v, pr_v = _measured(spo2, SPO2), _measured(pr, PULSE)  # checked before rounding
    return Reading(
        spo2=None if spo2_v is None else round(spo2_v),
        pulse_rate=None if pr_v is None else round(pr_v),
        perfusion_index=pai,
        flags=reading_flags,
    )


def encode_plx_continuous(reading: Reading) -> bytes:
    status = bits_from_flags(reading.flags, _PLX_STATUS)
    flags = 0x08 | (0x10 if reading.perfusion_index is not None else 0)
    data = bytes((flags,)) + struct.pack(
        "<HH", encode_sfloat(reading.spo2), encode_sfloat(reading.pulse_rate)
    ) + status.to_bytes(3, "little")
    if reading.perfusion_index is not None:
        data += encode_sfloat(reading.perfusion_index, exponent=-2).to_bytes(2, "little")
    return data


def parse_temperature(data: bytes) -> Reading:
    """0x2A1C: flags (bit 0 Fahrenheit), FLOAT value; timestamp and type are ignored."""
    _need(data, 5, "temperature measurement")
    value = decode_float32(int.from_bytes(data[1:5], "little"))
    if data[0] & 0x01:
        value = round((value - 32) * 5 / 9, 2)
    return Reading(temperature_c=_measured(value, TEMPERATURE_C))


def encode_temperature(celsius: float, *, fahrenheit: bool = False) -> bytes:
    value = celsius * 9 / 5 + 32 if fahrenheit else celsius
    return bytes((0x01 if fahrenheit else 0x00,)) + encode_float32(value).to_bytes(4, "little")


class NotificationParser(ParserStats):
    """Adapts a one-notification parser to ``feed``.

    A malformed notification, or one carrying a value no sensor can produce, is a bad
    frame: dropped, counted and its reason kept (``last_error`` is the latest). Verdicts
    are cached by the notification's bytes: a strap repeats the same few dozen payloads.
    """

    def __init__(self, parse: Callable[[bytes], Reading]) -> None:
        super().__init__()
        self.last_error = ""
        self._verdicts: VerdictCache[bytes] = VerdictCache(lambda data: judged(lambda: parse(data)))

    def feed(self, chunk: bytes) -> list[Reading]:
        """One notification."""
        data = chunk if chunk.__class__ is bytes else bytes(chunk)
        verdict = self._verdicts.one(data)
        if verdict:
            return [verdict]  # type: ignore[list-item]
        return self.feed_notifications([data])  # counts it as bad

    def feed_notifications(self, notifications: list[bytes]) -> list[Reading]:
        """Several notifications, each parsed alone (a BLE reader hands over a tick's worth)."""
        verdicts = self._verdicts.lookup(notifications)
        bad = self._verdicts.bad_among(notifications)
        if not bad:
            return verdicts  # type: ignore[return-value]  # no bad one: all are Readings
        for data, reason in bad:
            self.last_error = reason
            self._bad(len(data), f"bad notification {data[:24].hex(' ')}: {reason}")
        return list(filter(None, verdicts))  # type: ignore[arg-type]


class BerryMedParser(Cms50LegacyParser):
    """BerryMed BM1000: legacy CMS50 frames, several per notification, split anywhere."""

    def feed_notifications(self, notifications: list[bytes]) -> list[Reading]:
        return self.feed(b"".join(notifications))


class NotificationConsumer(Parser, Protocol):
    def feed_notifications(self, notifications: list[bytes]) -> list[Reading]: ...


GATT_PARSERS: dict[str, Callable[[], NotificationConsumer]] = {
    HEART_RATE_MEASUREMENT: lambda: NotificationParser(parse_heart_rate),
    PLX_CONTINUOUS: lambda: NotificationParser(parse_plx_continuous),
    TEMPERATURE_MEASUREMENT: lambda: NotificationParser(parse_temperature),
    BERRYMED_NOTIFY: BerryMedParser,
}
