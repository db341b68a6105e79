"""Every documented ``--monitor`` form passes the app's option check and opens the station
full screen with its beds started (the Demo device included, marked as DEMO)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

from hms_desktop.app import build_parser
from hms_desktop.devices.simulated import DEMO_PORT
from hms_desktop.devices.sources import SyntheticOximeter
from hms_desktop.ui.monitor.station import start_station
from tests.ui.monitor_helpers import make_station

DOCUMENTED = [
    "BED01=/dev/ttyUSB0@cms50-v7:PAT000123",   # docs/monitor.md
    "3=/dev/ttyUSB0@cms50",                     # the app's own example
    "BED02=/dev/ttyUSB1",                       # protocol and patient optional
    "BED03=COM4@nonin-df2:PAT000007",           # Windows port
    "BED04=AA:BB:CC:DD:EE:FF@ble-plx:PAT000008",  # Bluetooth LE address (colons in the port)
    "BED05=demo",                               # the Demo device, no space to quote
    "BED06=demo@cms50-v7:PAT000009",
]


@pytest.mark.parametrize("spec", DOCUMENTED)
def test_app_option_check_accepts_documented_forms(spec: str) -> None:
    assert build_parser().parse_args(["--station", "--monitor", spec]).monitor == [spec]


@pytest.mark.parametrize("spec", ["BED01", "=/dev/ttyUSB0", "BED01=", "BED01=Demo device"])
def test_app_option_check_refuses_malformed_text_naming_the_option(spec: str, capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--monitor", spec])
    assert "--monitor" in capsys.readouterr().err


def test_kiosk_opens_full_screen_with_demo_and_real_beds_started(qtbot, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    opened: list[tuple[str, str]] = []

    def open_source(port: str, protocol: str) -> SyntheticOximeter:
        opened.append((port, protocol))
        return SyntheticOximeter(spo2=96)

    store, service, controller, _sound = make_station(data_dir, beds=0, open_source=open_source)
    args = build_parser().parse_args(["--station", "--monitor", "BED01=demo:PAT000001",
                                      "--monitor", "BED02=/dev/ttyUSB0@cms50-legacy:PAT000002"])
    view = start_station(None, args.monitor, controller=controller)
    qtbot.addWidget(view)
    assert view.isFullScreen()
    assert opened == [(DEMO_PORT, "cms50-v7"), ("/dev/ttyUSB0", "cms50-legacy")]
    assert service.live_session("BED01").port == DEMO_PORT
    assert service.live_session("BED02").patient_id == "PAT000002"
    qtbot.waitUntil(lambda: all(m.numerics.spo2 == 96 for m in controller.monitors.values()), timeout=3000)
    demo = [w for w in view.findChildren(QLabel) if w.accessibleName().endswith("demo notice")
            and w.isVisible()]
    assert [w.accessibleName() for w in demo] == ["BED01 demo notice"]
    controller.stop()
    store.close()
