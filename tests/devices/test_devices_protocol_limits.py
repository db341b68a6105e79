"""Values no sensor can produce are bad frames, per protocol; "missing" markers are not.

Expected values come from the protocol documents (docs/devices.md): SpO2 is 0-100 % with
127 as "missing" (CMS50, Nonin); CMS50 PR 255 and Nonin HR 511 are "missing"; a pulse above
350/min, a perfusion index above 30 % and a body temperature outside 25-45 °C are
impossible. The first vector is the issue's: one flipped bit turned SpO2 97 into 113.
"""

from __future__ import annotations

import os
import struct
import tty

import pytest

from hms_desktop.devices.protocols import make_parser
from hms_desktop.devices.protocols.ble_gatt import (
    NotificationParser,
    encode_heart_rate,
    parse_heart_rate,
    parse_plx_continuous,
    parse_temperature,
)
from hms_desktop.devices.protocols.cms50_v7 import encode_packet
from hms_desktop.devices.protocols.nonin import NoninDf2Encoder
from hms_desktop.domain.readings import Reading
from tests.devices.fuzz_subjects import df2_packet

GOOD_LEGACY = bytes.fromhex("C7 40 45 16 61")  # SpO2 97, PR 150
SPO2_113_LEGACY = bytes.fromhex("C7 40 45 16 71")  # bit 4 of the SpO2 byte flipped


def _bad(name: str, data: bytes) -> tuple[list[Reading], object]:
    parser = make_parser(name)
    out = parser.feed(data)
    return out, parser


def test_a_flipped_bit_giving_spo2_113_is_a_bad_frame_never_a_reading() -> None:
    out, parser = _bad("cms50-legacy", GOOD_LEGACY + SPO2_113_LEGACY + GOOD_LEGACY)
    assert [r.spo2 for r in out] == [97, 97]
    assert parser.bad_frames == 1  # type: ignore[attr-defined]
    assert parser.dropped_bytes == 5  # type: ignore[attr-defined]
    assert parser.rejected[-1] == "bad frame c7 40 45 16 71: SpO2 113 is outside 0..100 %"  # type: ignore[attr-defined]


def test_missing_markers_are_no_value_not_bad_frames() -> None:
    out, parser = _bad("cms50-legacy", bytes.fromhex("C7 40 45 7F 7F"))  # PR 255, SpO2 127
    assert (out[0].spo2, out[0].pulse_rate) == (None, None) and parser.bad_frames == 0  # type: ignore[attr-defined]
    out, parser = _bad("nonin-df8", bytes((0x83, 0x7F, 0x7F, 0x00)))  # HR 511, SpO2 127
    assert (out[0].spo2, out[0].pulse_rate) == (None, None) and parser.bad_frames == 0  # type: ignore[attr-defined]


def _v7(spo2: int, pr: int, pi: int) -> bytes:
    return encode_packet(0x01, bytes((0x08, 0x40, 0x10, pr, spo2, pi & 0xFF, pi >> 8)))


@pytest.mark.parametrize(
    ("name", "frame", "reason"),
    [
        ("cms50-v7", _v7(101, 80, 250), "SpO2 101"),
        ("cms50-v7", _v7(97, 80, 3001), "perfusion index 30.01"),  # hundredths of a percent
        ("nonin-df8", bytes((0x83, 0x10, 0x60, 0x00)), "pulse rate 400"),  # HR bits 8-7 = 3, LSB 16
        ("nonin-df8", bytes((0x82, 0x5F, 0x60, 0x00)), "pulse rate 351"),
        ("nonin-df8", bytes((0x80, 0x48, 0x65, 0x00)), "SpO2 101"),
        ("masimo", b"12/01/05 11:56:29 SPO2=113% BPM=072 PI=02.40% ALARM=0000 EXC=000000\r\n", "SpO2 113"),
        ("masimo", b"12/01/05 11:56:29 SPO2=097% BPM=400 PI=02.40% ALARM=0000 EXC=000000\r\n", "pulse rate 400"),
        ("masimo", b"12/01/05 11:56:29 SPO2=097% BPM=072 PI=45.00% ALARM=0000 EXC=000000\r\n", "perfusion index 45"),
        ("text", b"PR=351\n", "PR=351 is outside 0..350"),
    ],
)
def test_impossible_values_are_bad_frames(name: str, frame: bytes, reason: str) -> None:
    out, parser = _bad(name, frame)
    assert out == []
    assert parser.bad_frames == 1  # type: ignore[attr-defined]
    assert reason in parser.rejected[-1]  # type: ignore[attr-defined]


def test_masimo_dashes_are_no_value() -> None:
    (reading,), parser = _bad("masimo", b"12/01/05 11:56:29 SPO2=---% BPM=--- PI=--.--% ALARM=0000 EXC=000000\r\n")
    assert (reading.spo2, reading.pulse_rate, reading.perfusion_index) == (None, None, None)
    assert parser.bad_frames == 0  # type: ignore[attr-defined]


def test_nonin_df2_impossible_hr_or_spo2_drops_that_frame_and_leaves_no_value() -> None:
    parser = make_parser("nonin-df2")
    out = parser.feed(df2_packet(3, 0x11, 97))  # HR 401
    assert len(out) == 24 and parser.bad_frames == 1
    assert all(r.pulse_rate is None for r in out) and out[-1].spo2 == 97
    assert "pulse rate 401" in parser.rejected[-1]
    out = parser.feed(df2_packet(0, 72, 104))  # SpO2 104
    assert len(out) == 24 and parser.bad_frames == 2
    assert out[-1].pulse_rate == 72 and out[-1].spo2 is None
    out = parser.feed(df2_packet(3, 0x7F, 127))  # HR 511 and SpO2 127: "missing", not bad
    assert len(out) == 25 and parser.bad_frames == 2
    assert (out[-1].pulse_rate, out[-1].spo2) == (None, None)
    encoder = NoninDf2Encoder()
    good = b"".join(encoder.encode(Reading(spo2=93, pulse_rate=300)) for _ in range(25))
    assert parser.feed(good)[-1].pulse_rate == 300


def _sfloat(mantissa: int, exponent: int = 0) -> bytes:
    return (((exponent & 0x0F) << 12) | (mantissa & 0x0FFF)).to_bytes(2, "little")


@pytest.mark.parametrize(
    ("parse", "data", "reason"),
    [
        (parse_heart_rate, encode_heart_rate(400), "heart rate 400"),
        (parse_heart_rate, bytes((0x10, 60)) + struct.pack("<H", 100), "RR interval"),  # 98 ms
        (parse_plx_continuous, b"\x00" + _sfloat(113) + _sfloat(72), "SpO2 113"),
        (parse_plx_continuous, b"\x00" + _sfloat(-1) + _sfloat(72), "SpO2 -1"),
        (parse_plx_continuous, b"\x00" + _sfloat(0x7FE) + _sfloat(72), "SpO2 inf"),  # +INFINITY
        (parse_plx_continuous, b"\x00" + _sfloat(97) + _sfloat(36, 1), "pulse rate 360"),
        (parse_plx_continuous, b"\x10" + _sfloat(97) + _sfloat(72) + _sfloat(-5, -1), "perfusion index -0.5"),
        (parse_temperature, b"\x00" + (0xFF000000 | 600).to_bytes(4, "little"), "temperature 60"),
    ],
)
def test_ble_impossible_values_are_bad_notifications(parse, data: bytes, reason: str) -> None:  # type: ignore[no-untyped-def]
    parser = NotificationParser(parse)
    assert parser.feed(data) == []
    assert parser.bad_frames == 1 and parser.dropped_bytes == len(data)
    assert reason in parser.rejected[-1]


def test_ble_nan_is_no_value() -> None:
    parser = NotificationParser(parse_plx_continuous)
    (reading,) = parser.feed(b"\x00" + _sfloat(0x7FF) + _sfloat(0x800))  # NaN, NRes
    assert (reading.spo2, reading.pulse_rate) == (None, None) and parser.bad_frames == 0


def test_the_reader_counts_bad_frames_and_never_delivers_them(make_reader, qtbot) -> None:  # type: ignore[no-untyped-def]
    master, slave = os.openpty()
    tty.setraw(slave)
    try:
        reader, rec = make_reader(os.ttyname(slave), "cms50-legacy")
        qtbot.waitUntil(lambda: reader.connections >= 1, timeout=3000)  # opened, input flushed
        os.write(master, (GOOD_LEGACY * 20 + SPO2_113_LEGACY) * 10 + GOOD_LEGACY * 20)
        qtbot.waitUntil(lambda: len(rec.readings) >= 220, timeout=5000)
        assert {r.spo2 for r in rec.readings} == {97}  # type: ignore[attr-defined]
        stats = reader.statistics()
        assert stats["bad_frames"] == 10 and stats["dropped_bytes"] == 50
        assert "SpO2 113" in str(stats["last_bad_frame"])
    finally:
        os.close(master)
        os.close(slave)
