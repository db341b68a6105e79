"""A window that holds the folder but cannot write (a data problem) still monitors, and says
"Recording off: <reason>" (issue 11 item 3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from hms_desktop.devices.sources import SyntheticOximeter
from hms_desktop.storage import Store
from hms_desktop.ui.monitor import create_tab
from hms_desktop.ui.monitor.station import start_station
from tests.ui.monitor_helpers import monitor_context

REASON = "data/monitoring_sessions.csv line 4 could not be read"


def test_lock_holder_that_cannot_write_shows_recording_off_and_still_shows_the_bed(
        data_dir: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    with monitor_context(data_dir, "nurse.ro") as ctx:
        # as storage marks a folder with a damaged file: read-only, lock still held
        monkeypatch.setattr(Store, "read_only", property(lambda _s: True), raising=False)
        monkeypatch.setattr(Store, "read_only_reason", property(lambda _s: REASON), raising=False)
        ctx.write_guard.set_read_only(REASON)
        assert ctx.holds_folder_lock
        tab = create_tab(ctx)
        qtbot.addWidget(tab)
        tab.show()
        assert tab.recording_off.isVisible()
        assert tab.recording_off.text() == f"Recording off: {REASON}"
        assert not tab.add_bed.isEnabled() and tab.add_bed.toolTip() == f"Read-only: {REASON}"
        assert tab.connect_button.isEnabled()  # monitoring does not depend on recording
        kiosk = start_station(ctx, [], full_screen=False)
        qtbot.addWidget(kiosk)
        assert kiosk.recording_off.isVisible() and kiosk.recording_off.text() == f"Recording off: {REASON}"
        controller = ctx.monitor_controller
        controller.attach_source("BED01", SyntheticOximeter(spo2=95), "synthetic", "cms50-v7")
        qtbot.waitUntil(lambda: controller.monitors["BED01"].numerics.spo2 == 95, timeout=5000)
