"""A reader costs the same whether its device talks at 60 Hz, at 1 Hz or not at all: it wakes
about once per batching period and never spins between readings (16 beds share 2 cores)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from hms_desktop.devices.reader import MAX_BATCHES_PER_S


@pytest.fixture
def silent_port() -> Iterator[str]:
    """A real pseudo-terminal whose device never sends a byte."""
    master, slave = os.openpty()
    os.set_blocking(master, False)
    try:
        yield os.ttyname(slave)
    finally:
        os.close(master)
        os.close(slave)


def _bound(started: float) -> float:
    """Wake-ups allowed since ``started``: one per batching period, and a little slack."""
    return (time.monotonic() - started) * MAX_BATCHES_PER_S * 1.2 + 3


def test_a_silent_port_is_looked_at_once_per_period_not_in_a_busy_loop(silent_port, make_reader, qtbot) -> None:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    reader, rec = make_reader(silent_port, "cms50-v7", no_data_after_s=0.3)
    qtbot.waitUntil(lambda: rec.states[-1:] == ["no_data"], timeout=5000)  # silence is still reported
    assert 0 < reader.wakeups <= _bound(started)


def test_a_one_hertz_device_reader_sleeps_between_its_readings(make_sim, make_reader, qtbot) -> None:  # type: ignore[no-untyped-def]
    sim = make_sim("text", spo2=95, pr=66)  # one line a second
    started = time.monotonic()
    reader, rec = make_reader(sim.port, "text")
    qtbot.waitUntil(lambda: rec.states[-1:] == ["streaming"], timeout=5000)
    woke = reader.wakeups
    # Between two lines the reader has nothing to send; it must still not spin.
    qtbot.waitUntil(lambda: reader.wakeups >= woke + 5, timeout=5000)
    assert reader.wakeups <= _bound(started)
    assert rec.readings and rec.readings[-1].spo2 == 95
