"""Kiosk start: beds created, sessions started, devices streaming, full screen; bad options refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from hms_desktop.devices.sources import SyntheticOximeter
from hms_desktop.ui.monitor.station import start_station
from tests.ui.monitor_helpers import make_station


def test_station_starts_without_clicks(qtbot, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    opened: list[tuple[str, str]] = []

    def open_source(port: str, protocol: str) -> SyntheticOximeter:
        opened.append((port, protocol))
        return SyntheticOximeter(spo2=95)

    store, service, controller, _sound = make_station(data_dir, beds=1, open_source=open_source)
    view = start_station(None, ["BED07=/dev/pts/3:PAT000009", "bed08=/dev/pts/4@cms50-legacy"],
                         controller=controller)
    qtbot.addWidget(view)
    assert view.isFullScreen()
    assert opened == [("/dev/pts/3", "cms50-v7"), ("/dev/pts/4", "cms50-legacy")]
    assert {b.id for b in service.beds()} == {"BED01", "BED07", "BED08"}
    assert service.live_session("BED07").patient_id == "PAT000009"
    assert service.live_session("BED08") is None
    qtbot.waitUntil(lambda: controller.monitors["BED08"].numerics.spo2 == 95, timeout=3000)
    assert set(view.tiles) == {"BED01", "BED07", "BED08"}
    controller.stop()
    store.close()


def test_bad_option_or_screen_is_refused_before_anything_opens(qtbot, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    store, service, controller, _sound = make_station(data_dir, beds=1, open_source=lambda p, q: pytest.fail("opened"))
    with pytest.raises(ValueError, match="port is empty"):
        start_station(None, ["BED02="], controller=controller)
    with pytest.raises(ValueError, match="--screen 9"):
        start_station(None, ["BED02=/dev/x"], 9, controller=controller)
    assert [b.id for b in service.beds()] == ["BED01"]
    store.close()
