"""The V7 keep-alive: the device stops streaming without one; the reader sends it."""

from __future__ import annotations

import pytest

from hms_desktop.devices.protocols.cms50_v7 import CMD_KEEPALIVE


@pytest.mark.slow
def test_v7_reader_keeps_the_device_streaming(make_sim, make_reader, qtbot) -> None:
    sim = make_sim("cms50-v7", keepalive_timeout_s=1.5)
    reader, rec = make_reader(sim.port, "cms50-v7", keepalive_s=0.5, no_data_after_s=1.0)
    # Five keep-alives the device received, 0.5 s apart: streaming well past its 1.5 s
    # deadline, on the device's own count rather than a fixed wait.
    qtbot.waitUntil(lambda: list(sim.commands).count(CMD_KEEPALIVE) >= 5, timeout=20_000)
    assert sim.streaming
    frames = sim.frames_sent
    qtbot.waitUntil(lambda: sim.frames_sent > frames + 30, timeout=10_000)  # and it still streams
    assert "no_data" not in rec.states


@pytest.mark.slow
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
    # three keep-alives (every 2 s): the device's 5 s deadline passed at least once
    qtbot.waitUntil(lambda: list(sim.commands).count(CMD_KEEPALIVE) >= 3, timeout=30_000)
    assert sim.streaming and rec.states == ["connecting", "streaming"]
