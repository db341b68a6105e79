"""What the fuzz tests feed each parser: valid units from its own encoder, and a marker.

A *unit* is what a device sends at once: a frame (CMS50, Nonin DF8), a 25-frame packet
(Nonin DF2, whose numerics span a packet), a line (Masimo, text) or one BLE notification.
Stream parsers get units glued together and cut anywhere; notification parsers get one
unit per ``feed`` (a notification is never split or glued by the radio stack).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from hms_desktop.devices.protocols import PROTOCOLS, Parser, make_encoder, make_parser
from hms_desktop.devices.protocols.ble_gatt import (
    BerryMedParser,
    NotificationParser,
    encode_heart_rate,
    encode_plx_continuous,
    encode_temperature,
    parse_heart_rate,
    parse_plx_continuous,
    parse_temperature,
)
from hms_desktop.devices.protocols.masimo import MasimoEncoder
from hms_desktop.devices.protocols.nonin import NoninDf2Encoder
from hms_desktop.domain.readings import DeviceFlag, Reading


def assert_possible(reading: Reading) -> None:
    """The oracle, from the protocol documents (docs/devices.md), not from the parsers' code."""
    assert reading.spo2 is None or 0 <= reading.spo2 <= 100, reading
    assert reading.pulse_rate is None or 0 <= reading.pulse_rate <= 350, reading
    assert reading.heart_rate is None or 0 <= reading.heart_rate <= 350, reading
    assert reading.perfusion_index is None or 0 <= reading.perfusion_index <= 30, reading
    assert reading.temperature_c is None or 25 <= reading.temperature_c <= 45, reading
    assert reading.glucose_mmol_l is None or 0.5 <= reading.glucose_mmol_l <= 60, reading
    assert reading.steps is None or 0 <= reading.steps <= 10_000_000, reading
    assert reading.signal_strength is None or 0 <= reading.signal_strength <= 15, reading
    assert all(0.0 <= v <= 1.0 for v in reading.pleth), reading
    assert all(60 / 350 <= v <= 60 for v in reading.rr_intervals_s), reading


@dataclass(frozen=True)
class Subject:
    name: str
    make: Callable[[], Parser]
    unit: Callable[[random.Random], bytes]
    notifications: bool = False  # one unit per feed, never glued or split

    def marker(self) -> bytes:
        """A fixed valid unit (the same every call) to look for after the damage."""
        return self.unit(random.Random(12345))


def _maybe(rng: random.Random, low: int, high: int) -> int | None:
    return None if rng.random() < 0.1 else rng.randint(low, high)


def _flags(rng: random.Random, name: str) -> frozenset[DeviceFlag]:
    known = sorted(PROTOCOLS[name].flags) if name in PROTOCOLS else []
    return frozenset(f for f in known if rng.random() < 0.1)


def _oximeter(rng: random.Random, name: str, *, pulse_high: int = 254, pi: bool = False) -> Reading:
    return Reading(
        spo2=_maybe(rng, 0, 100), pulse_rate=_maybe(rng, 0, pulse_high),
        perfusion_index=round(rng.uniform(0.02, 20), 2) if pi and rng.random() < 0.9 else None,
        pleth=(rng.random(),), beat=rng.random() < 0.1, signal_strength=rng.randint(0, 15),
        flags=_flags(rng, name),
    )


def _serial(name: str, **options: object) -> Callable[[random.Random], bytes]:
    def unit(rng: random.Random) -> bytes:
        return make_encoder(name).encode(_oximeter(rng, name, **options))  # type: ignore[arg-type]
    return unit


def _df2_packet(rng: random.Random) -> bytes:
    encoder = NoninDf2Encoder()
    numerics = _oximeter(rng, "nonin-df2", pulse_high=350)
    return b"".join(
        encoder.encode(Reading(spo2=numerics.spo2, pulse_rate=numerics.pulse_rate,
                               pleth=(rng.random(),), flags=numerics.flags))
        for _ in range(25)
    )


def df2_packet(hr_msb: int, hr_lsb: int, spo2: int) -> bytes:
    """A 25-frame DF2 packet with raw HR bytes and SpO2 (to make impossible ones)."""
    frames = []
    for index in range(25):
        status = 0x82 | (0x01 if index == 0 else 0)
        value = {0: hr_msb, 1: hr_lsb, 2: spo2}.get(index, 0)
        frame = bytes((0x01, status, 0x40, value))
        frames.append(frame + bytes((sum(frame) & 0xFF,)))
    return b"".join(frames)


def _masimo_line(rng: random.Random) -> bytes:
    at = datetime(2026, 1, 1) + timedelta(seconds=rng.randint(0, 10**7))
    return MasimoEncoder().encode(_oximeter(rng, "masimo", pulse_high=350, pi=True), at=at)


def _text_line(rng: random.Random) -> bytes:
    reading = Reading(
        heart_rate=_maybe(rng, 0, 350), spo2=_maybe(rng, 0, 100), steps=_maybe(rng, 0, 10**6),
        glucose_mmol_l=round(rng.uniform(0.5, 60), 1) if rng.random() < 0.5 else None,
        temperature_c=round(rng.uniform(25, 45), 1) if rng.random() < 0.5 else None,
        flags=_flags(rng, "text"),
    )
    return make_encoder("text").encode(reading)


def _heart_rate(rng: random.Random) -> bytes:
    rr = tuple(round(rng.uniform(0.2, 2.0), 3) for _ in range(rng.randint(0, 3)))
    return encode_heart_rate(rng.randint(1, 350), contact=rng.choice((True, False, None)), rr_s=rr)


def _plx(rng: random.Random) -> bytes:
    return encode_plx_continuous(_oximeter(rng, "masimo", pulse_high=350, pi=True))


def _temperature(rng: random.Random) -> bytes:
    return encode_temperature(round(rng.uniform(30, 42), 2), fahrenheit=rng.random() < 0.5)


def _berrymed(rng: random.Random) -> bytes:
    return make_encoder("cms50-legacy").encode(_oximeter(rng, "cms50-legacy"))


SUBJECTS = {
    s.name: s
    for s in (
        Subject("cms50-legacy", lambda: make_parser("cms50-legacy"), _serial("cms50-legacy")),
        Subject("cms50-v7", lambda: make_parser("cms50-v7"), _serial("cms50-v7", pi=True)),
        Subject("nonin-df2", lambda: make_parser("nonin-df2"), _df2_packet),
        Subject("nonin-df8", lambda: make_parser("nonin-df8"), _serial("nonin-df8", pulse_high=350)),
        Subject("masimo", lambda: make_parser("masimo"), _masimo_line),
        Subject("text", lambda: make_parser("text"), _text_line),
        Subject("ble-heart-rate", lambda: NotificationParser(parse_heart_rate), _heart_rate, True),
        Subject("ble-plx", lambda: NotificationParser(parse_plx_continuous), _plx, True),
        Subject("ble-temperature", lambda: NotificationParser(parse_temperature), _temperature, True),
        Subject("ble-berrymed", BerryMedParser, _berrymed),
    )
}
