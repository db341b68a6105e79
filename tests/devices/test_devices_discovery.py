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
@pytest.mark.slow
def test_autodetect_finds_the_protocol_the_device_speaks(protocol, make_sim) -> None:
    sim = make_sim(protocol)
    assert autodetect(sim.port) == protocol


@pytest.mark.slow
@pytest.mark.parametrize("protocol", ["text", "nonin-df8"])
def test_autodetect_slow_protocols(protocol, make_sim) -> None:
    sim = make_sim(protocol)
    assert autodetect(sim.port) == protocol


@pytest.mark.slow
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


def _fake_ports(monkeypatch, platform: str, devices: list[tuple[str, str, int | None, int | None]]) -> None:  # type: ignore[no-untyped-def]
    """What pyserial would report on ``platform`` (real ListPortInfo objects, no hardware)."""
    from serial.tools.list_ports_common import ListPortInfo

    import hms_desktop.devices.discovery as discovery

    infos = []
    for device, description, vid, pid in devices:
        info = ListPortInfo(device, skip_link_detection=True)
        info.description, info.vid, info.pid = description, vid, pid
        infos.append(info)
    monkeypatch.setattr(discovery.sys, "platform", platform)
    monkeypatch.setattr(discovery._list_ports, "comports", lambda: infos)


def test_windows_lists_com_ports_by_their_names_in_number_order(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _fake_ports(monkeypatch, "win32", [
        ("COM10", "USB Serial Device (COM10)", None, None),
        ("COM1", "Communications Port (COM1)", None, None),
        ("COM3", "Silicon Labs CP210x USB to UART Bridge (COM3)", 0x10C4, 0xEA60),
        ("COM9", "Standard Serial over Bluetooth link (COM9)", None, None),
    ])
    ports = list_ports()
    assert [p.path for p in ports] == ["COM3", "COM1", "COM9", "COM10"]
    assert ports[0].known_bridge and "CP210x" in ports[0].friendly_name


def test_macos_offers_the_callout_device_never_the_tty_one(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _fake_ports(monkeypatch, "darwin", [
        ("/dev/tty.usbserial-1420", "CP2102 USB to UART Bridge Controller", 0x10C4, 0xEA60),
        ("/dev/cu.usbserial-1420", "CP2102 USB to UART Bridge Controller", 0x10C4, 0xEA60),
        ("/dev/tty.Bluetooth-Incoming-Port", "n/a", None, None),
        ("/dev/tty.usbmodem14101", "n/a", None, None),  # only the tty. name reported
    ])
    paths = [p.path for p in list_ports()]
    assert paths == ["/dev/cu.usbserial-1420", "/dev/cu.usbmodem14101", "/dev/cu.Bluetooth-Incoming-Port"]
    assert not any(p.startswith("/dev/tty.") for p in paths)


def test_linux_lists_usb_and_bluetooth_ports_before_built_in_uarts(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _fake_ports(monkeypatch, "linux", [
        ("/dev/ttyS0", "ttyS0", None, None),
        ("/dev/ttyUSB10", "FT232R USB UART", 0x0403, 0x6001),
        ("/dev/ttyACM0", "Nonin 3150", None, None),
        ("/dev/rfcomm0", "n/a", None, None),
        ("/dev/ttyUSB2", "CP2102", 0x10C4, 0xEA60),
    ])
    ports = list_ports()
    assert [p.path for p in ports] == ["/dev/ttyUSB2", "/dev/ttyUSB10", "/dev/rfcomm0",
                                       "/dev/ttyACM0", "/dev/ttyS0"]
    assert ports[2].friendly_name == "/dev/rfcomm0"  # no description: the path itself
