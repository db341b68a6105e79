"""Simulator -> real pseudo-terminal -> DeviceReader thread -> signals on the GUI thread."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from hms_desktop.devices.protocols.cms50_v7 import CMD_START
from hms_desktop.devices.reader import DeviceReader
from hms_desktop.domain.readings import DeviceFlag, Reading


def _key(protocol: str, reading: Reading) -> object:
    """A reading at the protocol's resolution (the simulator records the exact pleth it sent)."""
    top = 255 if protocol == "nonin-df2" else 127
    pleth = tuple(round(v * top) for v in reading.pleth)
    if protocol == "nonin-df2":  # numerics depend on where in a packet the reader joined
        return (pleth, reading.flags)
    return replace(reading, pleth=pleth)


@pytest.mark.parametrize("protocol", ["cms50-legacy", "cms50-v7", "nonin-df2", "text"])
@pytest.mark.slow
def test_readings_equal_what_the_simulator_sent(protocol, make_sim, make_reader, qtbot) -> None:
    sim = make_sim(protocol, spo2=95, pr=66)
    reader, rec = make_reader(sim.port, protocol)
    need = 2 if protocol == "text" else 60
    qtbot.waitUntil(lambda: len(rec.readings) >= need, timeout=5000)
    reader.stop()
    qtbot.waitUntil(lambda: rec.states[-1] == "stopped", timeout=1000)  # queued from the thread
    sent = [_key(protocol, r) for r in sim.sent]
    got = [_key(protocol, r) for r in rec.readings]
    start = sent.index(got[0])
    assert got == sent[start:start + len(got)]  # in order, none lost, none invented
    last = rec.readings[-1]
    assert last.spo2 == 95
    assert (last.heart_rate if protocol == "text" else last.pulse_rate) == 66
    assert rec.states == ["connecting", "streaming", "stopped"]


@pytest.mark.slow
def test_batches_carry_several_frames_and_hold_nothing_back(make_sim, make_reader, qtbot) -> None:
    """At most MAX_BATCHES_PER_S batches a second, counted against the frames themselves rather
    than the wall clock (a loaded GUI thread receives queued batches in bunches): 75 frames/s in
    batches at least ~1/25 s apart is at least ~3 frames a batch; one batch per read would be ~1."""
    sim = make_sim("nonin-df2")  # 75 frames/s
    reader, rec = make_reader(sim.port, "nonin-df2")
    qtbot.waitUntil(lambda: len(rec.readings) >= 300, timeout=20_000)  # ~4 s of frames, none held back
    reader.stop()
    assert len(rec.readings) >= 2 * len(rec.batches) - 2
    assert reader.statistics()["batches"] == len(rec.batches)


def test_unplug_flags_disconnected_within_3_s_and_recovers_after_replug(make_sim, make_reader, qtbot) -> None:
    sim = make_sim("cms50-legacy")
    reader, rec = make_reader(sim.port, "cms50-legacy")
    qtbot.waitUntil(lambda: reader.state == "streaming", timeout=3000)
    sim.unplug()
    # Within 3 s of silence on the reader's clock (BatchGate.silent, tested on fake time in
    # test_devices_batching.py); the generous timeout only covers a loaded machine.
    qtbot.waitUntil(lambda: rec.states[-1] in ("disconnected", "no_data"), timeout=15_000)
    assert any(DeviceFlag.DISCONNECTED in r.flags for r in rec.readings)
    # stays down while unplugged: a reopen was tried and failed (the port is gone), with no
    # crash and no made-up "streaming" — a signal of the retry, not a fixed wait
    qtbot.waitUntil(lambda: "No such file" in reader.last_error, timeout=10_000)
    assert reader.is_running() and rec.states[-1] in ("disconnected", "no_data")
    before = len(rec.readings)
    sim.replug()
    qtbot.waitUntil(lambda: rec.states[-1] == "streaming", timeout=3000)
    qtbot.waitUntil(lambda: len(rec.readings) > before + 10, timeout=2000)
    assert rec.readings[-1].spo2 == 97
    assert reader.connections == 2


@pytest.mark.slow
def test_unplug_replug_scenario_switched_at_run_time(make_sim, make_reader, qtbot) -> None:
    sim = make_sim("cms50-v7")
    reader, rec = make_reader(sim.port, "cms50-v7")
    qtbot.waitUntil(lambda: reader.state == "streaming", timeout=3000)
    sim.set_scenario("unplug-replug")  # 5 s streaming, 3 s unplugged, loop
    qtbot.waitUntil(lambda: "disconnected" in rec.states, timeout=8000)
    qtbot.waitUntil(lambda: rec.states[-1] == "streaming", timeout=6000)
    assert CMD_START in sim.commands  # the V7 device needed the start command again


@pytest.mark.slow
def test_garbage_from_a_wrong_baud_rate_is_no_data(make_sim, make_reader, qtbot) -> None:
    sim = make_sim("cms50-legacy", scenario="wrong-baud")
    reader, rec = make_reader(sim.port, "cms50-legacy", no_data_after_s=1.0)
    qtbot.waitUntil(lambda: rec.states[-1:] == ["no_data"], timeout=3000)
    assert reader.dropped_bytes > 100
    assert rec.readings == [Reading(flags=frozenset({DeviceFlag.DISCONNECTED}))]


@pytest.mark.slow
def test_garbage_between_frames_loses_no_frame(make_sim, make_reader, qtbot) -> None:
    sim = make_sim("cms50-legacy", scenario="garbage", seed=7)
    reader, rec = make_reader(sim.port, "cms50-legacy")
    qtbot.waitUntil(lambda: len(rec.readings) >= 90, timeout=4000)
    reader.stop()
    sent = [_key("cms50-legacy", r) for r in sim.sent]
    got = [k for k in (_key("cms50-legacy", r) for r in rec.readings) if k in sent]  # noise may forge a frame; real ones all arrive
    start = sent.index(got[0])
    assert got == sent[start:start + len(got)]
    assert reader.dropped_bytes > 0


def test_missing_port_retries_and_stop_interrupts_the_backoff(make_reader, tmp_path, qtbot, monkeypatch) -> None:
    # a 60 s backoff: a stop() that waited it out would take a minute, one that interrupts it
    # returns at once; 30 s tells them apart on any machine, however loaded
    monkeypatch.setattr("hms_desktop.devices.reader.BACKOFF_S", (60.0,))
    reader, rec = make_reader(str(tmp_path / "ttyUSB9"), "cms50-legacy")
    qtbot.waitUntil(lambda: rec.states[-1:] == ["disconnected"], timeout=10_000)
    assert "ttyUSB9" in reader.last_error
    began = time.monotonic()
    reader.stop()
    assert time.monotonic() - began < 30.0
    assert not reader.is_running()
    qtbot.waitUntil(lambda: rec.states[-1] == "stopped", timeout=1000)


def test_unknown_protocol_is_refused(qapp) -> None:
    with pytest.raises(ValueError, match="unknown protocol 'cms60'"):
        DeviceReader("/dev/null", "cms60")
