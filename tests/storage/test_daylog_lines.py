"""The column parsers of the wearable chart against Python's own: ``float`` and
``datetime.fromisoformat(...).timestamp()`` on thousands of random cells, and hostile text
refused (the chart then reads the ordinary way) rather than read as something else."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from hms_desktop.storage.daylog_lines import decimals, texts, utc_seconds


def column(cells: list[str]) -> tuple[np.ndarray, np.ndarray]:
    raw = [c.encode("utf-8") for c in cells]
    width = max([len(r) for r in raw] + [1])
    matrix = np.zeros((len(raw), width), dtype=np.uint8)
    for i, r in enumerate(raw):
        matrix[i, :len(r)] = np.frombuffer(r, dtype=np.uint8)
    return matrix, np.array([len(r) for r in raw], dtype=np.int64)


def test_decimals_equal_pythons_float_bit_for_bit() -> None:
    rng = random.Random(7)
    cells = ["", "0", "-0", "36.6", "5.55", "12.0", "0.1", "999999999999999", "-12", "7.", ".5"]
    cells += [f"{rng.uniform(-500, 500):.{rng.randint(0, 6)}f}" for _ in range(3000)]
    cells += [str(rng.randint(0, 400)) for _ in range(1000)]
    cells += [str(round(rng.uniform(0.5, 60), rng.randint(1, 12))) for _ in range(1000)]  # as the app writes
    got = decimals(*column(cells))
    assert got is not None
    for cell, value in zip(cells, got.tolist(), strict=True):
        if cell == "":
            assert math.isnan(value)
        else:
            assert value == float(cell) and math.copysign(1, value) == math.copysign(1, float(cell)), cell


@pytest.mark.parametrize("cell", ["1e2", " 5", "5 ", "1_000", "--1", "1-", "1.2.3", "-", ".", "nan", "inf",
                                  "0x1f", "+5", "١٢", "1234567890123456"])
def test_a_number_written_another_way_is_refused_not_misread(cell: str) -> None:
    assert decimals(*column(["60", cell, "61"])) is None


def test_times_equal_pythons_timestamp() -> None:
    rng = random.Random(8)
    start = datetime(1999, 12, 31, tzinfo=UTC)
    moments = [start + timedelta(seconds=rng.randint(0, 40 * 365 * 86400),
                                 microseconds=rng.choice([0, rng.randint(1, 999_999)])) for _ in range(3000)]
    cells = [m.isoformat() for m in moments] + [m.replace(tzinfo=None).isoformat() for m in moments[:500]]
    got = utc_seconds(*column(cells))
    assert got is not None
    assert got.tolist() == [datetime.fromisoformat(c if "+" in c else c + "+00:00").timestamp() for c in cells]


@pytest.mark.parametrize("cell", ["2025-02-29T00:00:00+00:00", "2025-13-01T00:00:00+00:00",
                                  "2025-12-01T24:00:00+00:00", "2025-12-01T00:60:00+00:00",
                                  "2025-12-01T00:00:60+00:00", "-025-12-01T00:00:00+00:00",
                                  " 2025-12-01T00:00:00+00:0", "2025-12-01 00:00:00+00:00",
                                  "2025-12-01T0 :00:00+00:00", "2025-12-01T00:00:00+01:00",
                                  "2025-12-01T00:00:00Z", "2025-12-01T00:00:00.12+00:00",
                                  "2025-12-01T00:00:00.1234a6+00:00", "2025-12-01", "03/12/2025 10:00"])
def test_a_time_written_another_way_is_refused_not_misread(cell: str) -> None:
    assert utc_seconds(*column(["2025-12-01T00:00:00+00:00", cell])) is None


def test_texts_come_back_as_written_with_the_formula_escape_removed() -> None:
    cells = ["W1", "W1", "'=cmd", "''quoted", "Zoë's ring", "", "", "W1"]
    assert texts(*column(cells), escaped=True) == ["W1", "W1", "=cmd", "'quoted", "Zoë's ring", "", "", "W1"]
    bad = np.frombuffer(b"W\xff", dtype=np.uint8)[None, :].copy()
    assert texts(bad, np.array([2]), escaped=True) is None
