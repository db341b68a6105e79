"""Fuzzing every parser: random bytes, valid units glued to garbage, every truncation, bit flips.

For each: no exception, no value a sensor cannot produce (the oracle in fuzz_subjects.py is
written from the protocol documents), and valid units after the damage still decode
(resynchronisation). Seeded, so a failure reproduces; the default run takes a few seconds
per parser; the ``slow`` campaign (20,000 bit flips, as in the issue) is larger, and
``HMS_FUZZ_SCALE=N`` multiplies it.
Before the limits existed, 20,000 bit-flipped CMS50 frames gave 667 impossible values.
"""

from __future__ import annotations

import os
import random

import pytest

from hms_desktop.domain.readings import Reading
from tests.devices.fuzz_subjects import SUBJECTS, Subject, assert_possible, df2_packet

NAMES = sorted(SUBJECTS)
SCALE = int(os.environ.get("HMS_FUZZ_SCALE", "1"))
MARKERS = 3


def _feed(subject: Subject, units: list[bytes], rng: random.Random) -> tuple[object, list[Reading]]:
    """Feeds units as the device would send them; every reading must be possible."""
    parser = subject.make()
    out: list[Reading] = []
    if subject.notifications:
        for unit in units:
            out += parser.feed(unit)
    else:
        data = b"".join(units)
        pos = 0
        while pos < len(data):
            size = rng.choice((1, 3, 7, 64, 1000, 65536))
            out += parser.feed(data[pos:pos + size])
            pos += size
    for reading in out:
        assert_possible(reading)
    assert 0 <= parser.dropped_bytes <= sum(map(len, units))
    return parser, out


def _expected(subject: Subject) -> Reading:
    _, out = _feed(subject, [subject.marker()] * 2, random.Random(0))
    return out[-1]


def _assert_resyncs(subject: Subject, damage: list[bytes], rng: random.Random, expected: Reading) -> None:
    _, out = _feed(subject, damage + [subject.marker()] * MARKERS, rng)
    assert out and out[-1] == expected, (subject.name, [d.hex(" ") for d in damage][:3])


def _random_units(subject: Subject, total_bytes: int, rng: random.Random) -> list[bytes]:
    noise = rng.randbytes(total_bytes)
    if not subject.notifications:
        return [noise]
    units, pos = [], 0
    while pos < len(noise):
        size = rng.randint(1, 24)
        units.append(noise[pos:pos + size])
        pos += size
    return units


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.slow
def test_a_million_random_bytes(name: str) -> None:
    subject, rng = SUBJECTS[name], random.Random(f"random {name}")
    units = _random_units(subject, 10**6, rng)
    _feed(subject, units, rng)
    _assert_resyncs(subject, units, rng, _expected(subject))


@pytest.mark.parametrize("name", NAMES)
def test_valid_units_glued_to_garbage(name: str) -> None:
    subject, rng = SUBJECTS[name], random.Random(f"glued {name}")
    expected = _expected(subject)
    for _ in range(300):
        damage: list[bytes] = []
        for _ in range(rng.randint(1, 8)):
            damage.append(rng.randbytes(rng.randint(0, 30)))
            damage.append(subject.unit(rng))
        _assert_resyncs(subject, damage, rng, expected)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.slow
def test_every_truncation(name: str) -> None:
    subject, rng = SUBJECTS[name], random.Random(f"cut {name}")
    expected = _expected(subject)
    for _ in range(20):
        unit = subject.unit(rng)
        for cut in range(len(unit)):
            _assert_resyncs(subject, [unit[:cut]], rng, expected)


def _bit_flips(subject: Subject, flips: int, seed: str) -> None:
    rng = random.Random(seed)
    expected = _expected(subject)
    done = 0
    while done < flips:
        unit = bytearray(subject.unit(rng))
        for bit in range(len(unit) * 8):
            unit[bit // 8] ^= 1 << (bit % 8)
            _assert_resyncs(subject, [bytes(unit)], rng, expected)
            unit[bit // 8] ^= 1 << (bit % 8)
        done += len(unit) * 8


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.slow
def test_single_bit_flips_of_valid_units(name: str) -> None:
    flips = 2_000 if name == "nonin-df2" else 5_000  # a DF2 unit is a 125-byte packet: 1,000 flips
    _bit_flips(SUBJECTS[name], flips, f"flip {name}")


@pytest.mark.parametrize("name", [n for n in NAMES if not SUBJECTS[n].notifications])
def test_how_bytes_are_chunked_never_changes_what_comes_out(name: str) -> None:
    """One 64 KB read, byte-by-byte reads and random reads: the same readings and counters.

    Parsers take a different path for short and long buffers (Nonin DF2: pure Python under
    256 bytes, numpy above); this pins them to each other on damaged streams too.
    """
    subject, rng = SUBJECTS[name], random.Random(f"chunks {name}")
    parts: list[bytes] = []
    for _ in range(150):
        unit = bytearray(subject.unit(rng))
        if rng.random() < 0.2:
            bit = rng.randrange(len(unit) * 8)
            unit[bit // 8] ^= 1 << (bit % 8)
        parts += [rng.randbytes(rng.choice((0, 0, 1, 5, 30))), bytes(unit)]
        if name == "nonin-df2" and rng.random() < 0.1:  # bit flips never pass its checksum
            parts.append(df2_packet(3, 0x11, 104))  # HR 401, SpO2 104
    stream = b"".join(parts)
    results = []
    for sizes in ([len(stream)], [1] * len(stream), [rng.randint(1, 300) for _ in range(len(stream))]):
        parser, out, pos = subject.make(), [], 0
        for size in sizes:
            out += parser.feed(stream[pos:pos + size])
            pos += size
        results.append((out, parser.dropped_bytes, parser.bad_frames, parser.pending_bytes))  # type: ignore[attr-defined]
    assert results[0][0] and results[0] == results[1] == results[2]


@pytest.mark.parametrize("name", [n for n in NAMES if n.startswith("ble-")])
def test_a_ticks_worth_of_notifications_parses_as_each_one_alone(name: str) -> None:
    """What BleReader does: the notifications of one 1/30 s tick in one call."""
    subject, rng = SUBJECTS[name], random.Random(f"notifications {name}")
    notes = [rng.randbytes(rng.randint(1, 20)) if rng.random() < 0.3 else subject.unit(rng)
             for _ in range(400)]
    one_by_one, batched = subject.make(), subject.make()
    singles = [r for note in notes for r in one_by_one.feed_notifications([note])]  # type: ignore[attr-defined]
    groups = [r for at in range(0, len(notes), 7)
              for r in batched.feed_notifications(notes[at:at + 7])]  # type: ignore[attr-defined]
    assert singles and singles == groups
    assert (one_by_one.dropped_bytes, one_by_one.bad_frames) == (batched.dropped_bytes, batched.bad_frames)
    for reading in groups:
        assert_possible(reading)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_fuzz_campaign(name: str) -> None:
    """The issue's campaign: 20,000 bit-flipped frames and 3 MB more noise per parser (BLE: 1 MB).

    (Nonin DF2: 5,000 flips; every single flip breaks its checksum, and one DF2 flip costs
    a whole packet's worth of work.)
    """
    subject, rng = SUBJECTS[name], random.Random(f"campaign {name}")
    flips = 5_000 if name == "nonin-df2" else 20_000
    _bit_flips(subject, flips * SCALE, f"campaign flip {name}")
    for _ in range((1 if subject.notifications else 3) * SCALE):  # ~80,000 notifications a MB
        _feed(subject, _random_units(subject, 10**6, rng), rng)
