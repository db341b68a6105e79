"""The V7 keep-alive: the device stops streaming without one; the reader sends it."""

from __future__ import annotations

import time

import pytest

from hms_desktop.devices.protocols.cms50_v7 import CMD_KEEPALIVE


def test_v7_reader_keeps_the_device_streaming(make_sim, make_reader, qtbot) -> None:
    sim = make_sim("cms50-v7", keepalive_timeout_s=1.5)
    reader, rec = make_reader(sim.port, "cms50-v7", keepalive_s=0.5, no_data_after_s=1.0)
    # Six keep-alives every 0.5 s: 2.5 s and more, well past the device's 1.5 s deadline.
    qtbot.waitUntil(lambda: list(sim.commands).count(CMD_KEEPALIVE) >= 6, timeout=6000)
    recent = [b for t, b in rec.batches if time.monotonic() - t < 0.5]
    assert recent and sim.streaming
    assert "no_data" not in rec.states
    assert list(sim.commands).count(CMD_KEEPALIVE) >= 5


def test_v7_device_stops_without_keepalive(make_sim, make_reader, qtbot) -> None:
    sim = make_sim("cms50-v7", keepalive_timeout_s=1.5)
    reader, rec = make_reader(sim.port, "cms50-v7", keepalive_s=60.0, no_data_after_s=1.0)
    qtbot.waitUntil(lambda: "streaming" in rec.states, timeout=2000)
    qtbot.waitUntil(lambda: rec.states[-1] == "no_data", timeout=4000)
    assert not sim.streaming


@pytest.mark.slow
def test_v7_keepalive_at_the_real_5_s_deadline(make_sim, make_reader, qtbot) -> None:
    sim = make_sim("cms50-v7")
    reader, rec = make_reader(sim.port, "cms50-v7")
    started = time.monotonic()
    qtbot.waitUntil(lambda: time.monotonic() - started > 7.0 and bool(rec.batches)
                    and time.monotonic() - rec.batches[-1][0] < 0.5, timeout=10_000)  # still streaming at 7 s
    assert sim.streaming and rec.states == ["connecting", "streaming"]
