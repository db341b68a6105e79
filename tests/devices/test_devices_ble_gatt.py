"""BLE characteristic parsers, tested on bytes without a radio or bleak."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hms_desktop.devices.protocols.ble_gatt import (
    BerryMedParser,
    NotificationParser,
    decode_float32,
    decode_sfloat,
    encode_float32,
    encode_heart_rate,
    encode_plx_continuous,
    encode_sfloat,
    encode_temperature,
    parse_heart_rate,
    parse_plx_continuous,
    parse_temperature,
)
from hms_desktop.devices.protocols.cms50_legacy import Cms50LegacyEncoder
from hms_desktop.domain.readings import DeviceFlag, Reading


def test_sfloat_special_values_and_signs() -> None:
    assert math.isnan(decode_sfloat(0x07FF)) and math.isnan(decode_sfloat(0x0800))
    assert decode_sfloat(0x07FE) == math.inf and decode_sfloat(0x0802) == -math.inf
    assert decode_sfloat(0x0062) == 98  # exponent 0, mantissa 98
    assert decode_sfloat(0xF3E8) == pytest.approx(100.0)  # 1000 x 10^-1
    assert decode_sfloat(0x0FFF) == -1  # mantissa -1


@given(st.integers(-2000, 2000), st.integers(-3, 3))
def test_sfloat_round_trip(mantissa: int, exponent: int) -> None:
    value = mantissa * 10.0**exponent
    assert decode_sfloat(encode_sfloat(value, exponent=exponent)) == pytest.approx(value)


def test_float32_temperature_value() -> None:
    assert decode_float32(0xFF000171) == pytest.approx(36.9)  # 369 x 10^-1
    assert decode_float32(encode_float32(-12.34)) == pytest.approx(-12.34)
    assert math.isnan(decode_float32(0x007FFFFF))


def test_heart_rate_uint8_uint16_contact_and_rr() -> None:
    assert parse_heart_rate(bytes((0x06, 72))).heart_rate == 72
    r = parse_heart_rate(encode_heart_rate(300, rr_s=(0.8, 0.75)))
    assert r.heart_rate == 300 and r.rr_intervals_s == pytest.approx((0.8, 0.75), abs=1e-3)
    assert parse_heart_rate(encode_heart_rate(70, contact=False)).flags == {DeviceFlag.SENSOR_OFF}
    with_energy = bytes((0x08, 80, 0x10, 0x00))  # energy expended present, no RR
    assert parse_heart_rate(with_energy).heart_rate == 80


def test_plx_continuous_values_status_and_nan() -> None:
    sent = Reading(spo2=96, pulse_rate=64, perfusion_index=1.25,
                   flags=frozenset({DeviceFlag.FINGER_OUT, DeviceFlag.LOW_PERFUSION}))
    assert parse_plx_continuous(encode_plx_continuous(sent)) == sent
    nan = parse_plx_continuous(bytes((0x00,)) + (0x07FF).to_bytes(2, "little") + (0x0800).to_bytes(2, "little"))
    assert (nan.spo2, nan.pulse_rate) == (None, None)


def test_temperature_celsius_and_fahrenheit() -> None:
    assert parse_temperature(encode_temperature(36.8)).temperature_c == pytest.approx(36.8)
    assert parse_temperature(encode_temperature(37.0, fahrenheit=True)).temperature_c == pytest.approx(37.0)


@pytest.mark.parametrize("data", [b"", b"\x01", b"\x10\x48\x01", b"\x08\x01\x02\x03"])
def test_malformed_notifications_are_dropped_and_counted(data: bytes) -> None:
    parser = NotificationParser(parse_plx_continuous)
    assert parser.feed(data) == []
    assert parser.dropped_bytes == len(data) and "PLX" in parser.last_error


def test_berrymed_notifications_split_frames_anywhere() -> None:
    encoder = Cms50LegacyEncoder()
    frames = b"".join(encoder.encode(Reading(spo2=95 + i % 3, pulse_rate=70, pleth=(0.5,))) for i in range(6))
    parser = BerryMedParser()
    out = parser.feed(frames[:7]) + parser.feed(frames[7:20]) + parser.feed(frames[20:])
    assert [r.spo2 for r in out] == [95, 96, 97, 95, 96, 97]
