"""Byte-exact vectors from docs/protocols.md and encoder <-> parser round trips."""

from __future__ import annotations

import pytest

from hms_desktop.devices.protocols import PROTOCOLS, make_encoder, make_parser
from hms_desktop.devices.protocols.cms50_legacy import Cms50LegacyEncoder
from hms_desktop.devices.protocols.cms50_v7 import (
    CMD_KEEPALIVE,
    CMD_START,
    Cms50V7Encoder,
    encode_command,
    find_commands,
)
from hms_desktop.devices.protocols.nonin import NoninDf2Encoder, select_format_command
from hms_desktop.domain.readings import DeviceFlag, Reading

F = DeviceFlag
VECTOR_READING = Reading(spo2=97, pulse_rate=150, pleth=(0x40 / 127,), signal_strength=7, beat=True)


def test_cms50_legacy_vector_decodes_and_encodes_byte_exact() -> None:
    parser = make_parser("cms50-legacy")
    assert parser.feed(bytes.fromhex("C7 40 45 16 61")) == [VECTOR_READING]
    assert parser.dropped_bytes == 0
    assert Cms50LegacyEncoder().encode(VECTOR_READING, bar=5) == bytes.fromhex("C7 40 45 16 61")


def test_cms50_v7_vector_decodes_and_encodes_byte_exact() -> None:
    parser = make_parser("cms50-v7")
    assert parser.feed(bytes.fromhex("01 E8 C7 C0 85 96 E1 FF FF")) == [VECTOR_READING]
    assert Cms50V7Encoder().encode(VECTOR_READING, bar=5) == bytes.fromhex("01 E8 C7 C0 85 96 E1 FF FF")


def test_v7_commands_are_nine_bytes_and_found_in_host_traffic() -> None:
    assert encode_command(CMD_START) == bytes.fromhex("7D 81 A1 80 80 80 80 80 80")
    traffic = b"\x00junk" + encode_command(CMD_START) + encode_command(CMD_KEEPALIVE)[:4]
    assert find_commands(traffic) == [CMD_START]


def test_nonin_df2_vector_frame_validates_and_bad_checksum_is_dropped() -> None:
    parser = make_parser("nonin-df2")
    (reading,) = parser.feed(bytes.fromhex("01 80 49 00 CA"))
    assert reading.pleth == (0x49 / 255,)
    assert parser.feed(bytes.fromhex("01 80 49 00 CB")) == []  # checksum off by one
    assert parser.dropped_bytes > 0


def test_nonin_select_format_command() -> None:
    assert select_format_command(8) == bytes.fromhex("02 70 02 02 08 03")


def test_sentinels_become_none_never_zero_or_127() -> None:
    legacy = make_parser("cms50-legacy").feed(bytes((0x80, 0x10, 0x40, 0x7F, 0x7F)))  # PR 255, SpO2 127
    assert (legacy[0].spo2, legacy[0].pulse_rate) == (None, None)
    v7 = make_parser("cms50-v7").feed(Cms50V7Encoder().encode(Reading()))
    assert (v7[0].spo2, v7[0].pulse_rate, v7[0].perfusion_index) == (None, None, None)
    df8 = make_parser("nonin-df8").feed(bytes((0x83, 0x7F, 0x7F, 0x00)))  # HR 511, SpO2 127
    assert (df8[0].spo2, df8[0].pulse_rate) == (None, None)
    masimo = make_parser("masimo").feed(b"12/01/05 11:56:29 SPO2=---% BPM=--- PI=--.--% ALARM=0000 EXC=000000\r\n")
    assert (masimo[0].spo2, masimo[0].pulse_rate, masimo[0].perfusion_index) == (None, None, None)


def test_nonin_hr_uses_both_bytes_for_rates_above_127() -> None:
    encoder, parser = NoninDf2Encoder(), make_parser("nonin-df2")
    frames = b"".join(encoder.encode(Reading(spo2=88, pulse_rate=300)) for _ in range(25))
    readings = parser.feed(frames)
    assert readings[-1].pulse_rate == 300 and readings[-1].spo2 == 88
    assert readings[0].pulse_rate is None  # HR LSB not seen yet in the first frame


def test_masimo_reference_line_with_flags() -> None:
    line = (b"12/01/05 11:56:29 SN=0123456789 SPO2=098% BPM=240 PI=20.00% SPCO=01.0% SPMET=00.5% "
            b"DESAT=01 PIDELTA=-02 PVI=027 ALARM=0040 EXC=000820\r\n")
    (reading,) = make_parser("masimo").feed(line)
    assert (reading.spo2, reading.pulse_rate, reading.perfusion_index) == (98, 240, 20.0)
    assert reading.flags == {F.FINGER_OUT, F.LOW_BATTERY}


def test_masimo_torn_line_is_read_from_its_last_timestamp() -> None:
    parser = make_parser("masimo")
    line = b"12/01/05 11:56:29 SPO2=095% BPM=061 PI=01.20% ALARM=0000 EXC=000000\r\n"
    assert parser.feed(b"%=0 BPM=0" + line)[0].spo2 == 95


def test_masimo_line_with_unreadable_field_is_rejected_with_its_name() -> None:
    parser = make_parser("masimo")
    assert parser.feed(b"12/01/05 11:56:29 SPO2=9x8% BPM=061\r\n") == []
    assert "SPO2" in parser.rejected[-1] and "line 1" in parser.rejected[-1]


def test_text_protocol_example_line() -> None:
    (reading,) = make_parser("text").feed(b"HR=72 SPO2=98 STEPS=1200 GLU=5.4 TEMP=36.8\r\n")
    assert (reading.heart_rate, reading.spo2, reading.steps) == (72, 98, 1200)
    assert (reading.glucose_mmol_l, reading.temperature_c) == (5.4, 36.8)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b"HR=72 FOO=1\n", "unknown field FOO"),
        (b"HR=seventy\n", "field HR has an unreadable value"),
        (b"SPO2=140\n", "field SPO2=140 is outside 0..100"),
        (b"HR=72 HR=73\n", "field HR appears twice"),
        (b"HR 72\n", "is not KEY=VALUE"),
        (b"HR=72 FLAGS=wet\n", "unknown flag 'wet'"),
    ],
)
def test_text_protocol_rejects_bad_lines_naming_the_field(line: bytes, reason: str) -> None:
    parser = make_parser("text")
    assert parser.feed(b"HR=60\n" + line + b"HR=61\n") == [Reading(heart_rate=60), Reading(heart_rate=61)]
    assert reason in parser.rejected[-1]
    assert parser.dropped_bytes == len(line)


def test_text_protocol_accepts_lowercase_commas_and_dashes() -> None:
    (reading,) = make_parser("text").feed(b"hr=72, spo2=-; temp=36.5 flags=finger_out|low_battery\n")
    assert reading == Reading(heart_rate=72, temperature_c=36.5,
                              flags=frozenset({F.FINGER_OUT, F.LOW_BATTERY}))


def test_unknown_protocol_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="cms50-legacy"):
        make_parser("cms60")


def _samples(name: str) -> list[Reading]:
    info = PROTOCOLS[name]
    pleth = (0.5,) if info.has_pleth else ()
    base = [Reading(spo2=97, pulse_rate=72, pleth=pleth), Reading(spo2=84, pulse_rate=38, pleth=pleth),
            Reading(spo2=None, pulse_rate=None, pleth=pleth)]
    return base + [Reading(spo2=95, pulse_rate=130, pleth=pleth, flags=frozenset({flag}))
                   for flag in sorted(info.flags)]


def _comparable(name: str, reading: Reading) -> tuple[object, ...]:
    """The fields a protocol carries, quantised to its resolution."""
    pleth = tuple(round(v * 127) for v in reading.pleth)
    if name == "text":
        return (reading.heart_rate or reading.pulse_rate, reading.spo2, reading.flags)
    return (reading.spo2, reading.pulse_rate, pleth if name.startswith("cms50") else (), reading.flags)


@pytest.mark.parametrize("name", sorted(PROTOCOLS))
def test_round_trip_encoder_to_parser(name: str) -> None:
    for sample in _samples(name):
        if name == "text":
            sample = Reading(heart_rate=sample.pulse_rate, spo2=sample.spo2, flags=sample.flags)
        encoder, parser = make_encoder(name), make_parser(name)
        repeats = 25 if name == "nonin-df2" else 1  # numerics span a 25-frame packet
        data = b"".join(encoder.encode(sample) for _ in range(repeats))
        readings = parser.feed(data)
        assert len(readings) == repeats
        assert _comparable(name, readings[-1]) == _comparable(name, sample), (name, sample)
        assert parser.dropped_bytes == 0
