"""Port listing and protocol autodetection against simulated devices on real ptys."""

from __future__ import annotations

import os

import pytest

from hms_desktop.devices.discovery import PortInfo, autodetect, known_bridge, list_ports


def test_cp210x_is_recognised_as_an_oximeter_bridge() -> None:
    assert "CP210x" in (known_bridge(0x10C4, 0xEA60) or "")
    assert known_bridge(0x1234, 0x5678) is None and known_bridge(None, None) is None


def test_list_ports_reports_this_machines_ports() -> None:
    ports = list_ports()
    assert all(isinstance(p, PortInfo) and p.path and p.friendly_name for p in ports)
    assert [p.known_bridge is None for p in ports] == sorted(p.known_bridge is None for p in ports)


@pytest.mark.parametrize("protocol", ["cms50-v7", "cms50-legacy", "nonin-df2", "masimo"])
def test_autodetect_finds_the_protocol_the_device_speaks(protocol, make_sim) -> None:
    sim = make_sim(protocol)
    assert autodetect(sim.port) == protocol


@pytest.mark.slow
@pytest.mark.parametrize("protocol", ["text", "nonin-df8"])
def test_autodetect_slow_protocols(protocol, make_sim) -> None:
    sim = make_sim(protocol)
    assert autodetect(sim.port) == protocol


def test_noise_and_silence_match_no_protocol(make_sim) -> None:
    noisy = make_sim("cms50-legacy", scenario="wrong-baud")
    assert autodetect(noisy.port, protocols=("cms50-legacy", "nonin-df8", "cms50-v7")) is None
    master, slave = os.openpty()
    try:
        assert autodetect(os.ttyname(slave), protocols=("cms50-legacy",), fast_listen_s=0.3) is None
    finally:
        os.close(master)
        os.close(slave)
    assert autodetect("/nonexistent/ttyUSB0") is None
