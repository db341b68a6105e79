"""The simulator on its own: scenarios, waveforms, and device behaviour on the wire."""

from __future__ import annotations

import importlib.util
import os
import select
import time
import tty
from pathlib import Path

import pytest
import serial

from hms_desktop.devices.protocols import cms50_v7, make_parser
from hms_desktop.devices.protocols.cms50_v7 import START, STOP
from hms_desktop.devices.protocols.nonin import ACK, NAK, select_format_command
from hms_desktop.devices.simulator import BUILTIN_NAMES, port_simulator, start_demo_device
from hms_desktop.devices.simulator.engine import misclocked
from hms_desktop.devices.simulator.scenarios import builtin, load_scenario, resolve
from hms_desktop.devices.simulator.signals import (
    SyntheticPleth,
    make_source,
)
from hms_desktop.domain.readings import DeviceFlag


def _read(port: serial.Serial, seconds: float) -> bytes:
    data = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        data += port.read(4096)
    return data


def test_desaturation_ramps_down_and_recovers() -> None:
    sc = builtin("desaturation", 97, 72)
    assert sc.state_at(0).spo2 == 97
    assert sc.state_at(25).spo2 == 90  # halfway down the 30 s ramp to 84
    assert sc.state_at(45).spo2 == 84
    assert sc.state_at(sc.duration_s + 1).spo2 == 97  # loops


@pytest.mark.parametrize("name", BUILTIN_NAMES)
def test_every_builtin_scenario_resolves(name: str) -> None:
    assert resolve(name, 97, 72).duration_s > 0
    assert resolve(name.replace("-", "_").upper(), 97, 72).name == name


def test_scenario_file_keeps_values_and_names_bad_lines(tmp_path: Path) -> None:
    good = tmp_path / "s.csv"
    good.write_text("duration_s,spo2,pr,condition\n10,88,,ok\n5,,,sensor_off\n", encoding="utf-8")
    sc = load_scenario(good, 97, 72)
    assert sc.state_at(12).spo2 == 88 and sc.state_at(12).pr == 72
    assert sc.state_at(12).condition == "sensor_off"
    bad = tmp_path / "bad.csv"
    bad.write_text("duration_s,spo2,pr,condition\n10,88,70,ok\n5,101,70,ok\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.csv line 3: spo2 101 is outside 0..100"):
        load_scenario(bad, 97, 72)
    bad.write_text("duration_s,spo2,pr,condition\n10,88,70,asleep\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2: condition 'asleep'"):
        load_scenario(bad, 97, 72)
    with pytest.raises(ValueError, match="does not exist"):
        resolve(str(tmp_path / "missing.csv"), 97, 72)


def test_synthetic_pleth_beats_at_the_pulse_rate() -> None:
    pleth = SyntheticPleth()
    samples = [pleth.sample(i / 60, 90) for i in range(60 * 10)]
    beats = sum(beat for _, beat in samples)
    assert 14 <= beats <= 16  # 90/min for 10 s
    values = [v for v, _ in samples]
    assert 0.0 <= min(values) < 0.2 and 0.8 < max(values) <= 1.0


@pytest.mark.skipif(importlib.util.find_spec("heartpy") is not None, reason="heartpy is installed")
def test_heartpy_source_without_the_extra_says_how_to_install() -> None:
    with pytest.raises(RuntimeError, match=r"pip install '.\[heartpy\]'"):
        make_source("heartpy")


def test_misclocked_bytes_do_not_parse_as_frames() -> None:
    frame = bytes.fromhex("C7 40 45 16 61") * 50
    noise = misclocked(frame)
    assert len(noise) > len(frame) and noise != frame
    parser = make_parser("cms50-v7")
    assert parser.feed(noise) == [] and parser.dropped_bytes == len(noise)


@pytest.fixture
def wire(make_sim):  # type: ignore[no-untyped-def]
    """A running simulator and a pyserial port opened on it, both closed afterwards."""
    ports: list[serial.Serial] = []

    def open_wire(protocol: str, baudrate: int, parity: str = "N"):  # type: ignore[no-untyped-def]
        sim = make_sim(protocol)
        ports.append(serial.Serial(sim.port, baudrate, parity=parity, timeout=0.05))
        return sim, ports[-1]

    yield open_wire
    for port in ports:
        port.close()


@pytest.mark.slow
def test_v7_streams_only_after_start_and_stops_on_stop(wire) -> None:
    sim, port = wire("cms50-v7", 115200)
    assert _read(port, 0.3) == b""
    port.write(START)
    assert len(make_parser("cms50-v7").feed(_read(port, 0.5))) >= 20
    port.write(STOP)
    for _ in range(300):  # the device reads the command within a few of its ticks
        if cms50_v7.CMD_STOP in sim.commands:
            break
        assert sim.wait_ticks(1), "the simulator's thread stopped ticking"
    assert cms50_v7.CMD_STOP in sim.commands, "the device never received STOP"
    assert sim.wait_ticks(1)  # the tick that read STOP has finished: all it sent is on the wire
    port.reset_input_buffer()
    frames_after_stop = sim.frames_sent
    assert sim.wait_ticks(30)  # half a second of device time, counted in the device's own ticks
    assert sim.frames_sent == frames_after_stop
    assert port.read(4096) == b""


def test_nonin_answers_format_select_with_ack_or_nak(wire) -> None:
    _, port = wire("nonin-df8", 9600)
    port.write(select_format_command(8))
    assert ACK in _read(port, 0.3)
    port.write(select_format_command(2))
    assert NAK in _read(port, 0.3)


def test_finger_out_scenario_sends_finger_out_frames_with_no_numbers(wire) -> None:
    sim, port = wire("cms50-legacy", 19200, "O")
    before = make_parser("cms50-legacy").feed(_read(port, 0.2))
    sim.set_scenario("finger-out", from_s=10.5)  # straight into the finger-out segment
    port.reset_input_buffer()
    after = make_parser("cms50-legacy").feed(_read(port, 0.3))
    assert before and before[-1].spo2 == 97
    assert after and all(DeviceFlag.FINGER_OUT in r.flags and r.spo2 is None for r in after[2:])


def test_demo_device_is_running_and_stops_cleanly() -> None:
    sim = start_demo_device()
    try:
        port = serial.Serial(sim.port, 19200, parity="O", timeout=0.05)
        assert make_parser("cms50-legacy").feed(_read(port, 0.3))
        port.close()
    finally:
        sim.stop()
    assert not Path(sim.port).exists()


def test_port_simulator_writes_to_an_existing_port() -> None:
    master, slave = os.openpty()
    tty.setraw(slave)
    sim = port_simulator(os.ttyname(slave), "masimo", spo2=93, pr=101)
    sim.start()
    try:
        deadline = time.monotonic() + 3
        data = b""
        while b"\n" not in data and time.monotonic() < deadline:
            if select.select([master], [], [], 0.1)[0]:
                data += os.read(master, 4096)
    finally:
        sim.stop()
        os.close(master)
        os.close(slave)
    (reading,) = make_parser("masimo").feed(data[: data.index(b"\n") + 1])
    assert (reading.spo2, reading.pulse_rate) == (93, 101)
