"""The Monitor tab on a real AppContext: create_tab, start monitoring through the writer,
the current patient's trend, and one shared controller for tab and kiosk station."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from hms_desktop.devices.sources import SyntheticOximeter
from hms_desktop.ui.context import AppContext
from hms_desktop.ui.monitor import create_tab, create_trend_view
from hms_desktop.ui.monitor.station import start_station
from tests.ui.monitor_helpers import monitor_context


@pytest.fixture
def ctx(data_dir: Path, qtbot: QtBot) -> Iterator[AppContext]:
    with monitor_context(data_dir, "nurse.tab") as context:
        yield context


def test_tab_starts_monitoring_through_the_writer_and_shows_the_bed(ctx: AppContext, qtbot: QtBot) -> None:
    tab = create_tab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    controller = ctx.monitor_controller
    assert controller.running and set(tab.station.tiles) == {"BED01", "BED02"}
    src = SyntheticOximeter(spo2=98, pulse_rate=61)
    controller.start_monitoring("BED02", "PAT000005", "synthetic", "cms50-v7", source=src)
    qtbot.waitUntil(lambda: controller.monitors["BED02"].numerics.spo2 == 98, timeout=5000)
    session = ctx.services.monitoring.live_session("BED02")
    assert session is not None and session.patient_id == "PAT000005"
    ctx.current_patient.select("PAT000005")
    assert tab.trends.patient_id == "PAT000005"
    qtbot.waitUntil(lambda: tab.trends.status.text().endswith("alarms"), timeout=5000)


def test_refused_session_is_reported_not_crashed(ctx: AppContext, qtbot: QtBot) -> None:
    tab = create_tab(ctx)
    qtbot.addWidget(tab)
    controller = ctx.monitor_controller
    controller.start_monitoring("BED01", "PAT000001", "synthetic", "cms50-v7", source=SyntheticOximeter())
    qtbot.waitUntil(lambda: controller.monitors["BED01"].session is not None, timeout=5000)
    controller.start_monitoring("BED01", "PAT000002", "synthetic", "cms50-v7", source=SyntheticOximeter())
    qtbot.waitUntil(lambda: "already monitoring PAT000001" in tab.message.text(), timeout=5000)


def test_tab_and_kiosk_share_one_controller(ctx: AppContext, qtbot: QtBot) -> None:
    tab = create_tab(ctx)
    qtbot.addWidget(tab)
    controller = ctx.monitor_controller
    controller.open_source = lambda port, protocol: SyntheticOximeter(spo2=91)
    station = start_station(ctx, ["BED03=/dev/pts/9:PAT000003"], full_screen=False)
    qtbot.addWidget(station)
    assert station.controller is tab.controller
    qtbot.waitUntil(lambda: controller.monitors["BED03"].numerics.spo2 == 91, timeout=5000)
    qtbot.waitUntil(lambda: "BED03" in tab.station.tiles, timeout=2000)


def test_record_trend_view_follows_the_current_patient(ctx: AppContext, qtbot: QtBot) -> None:
    view = create_trend_view(ctx)
    qtbot.addWidget(view)
    ctx.current_patient.select("PAT000042")
    assert view.patient_id == "PAT000042"  # type: ignore[attr-defined]


def test_live_news2_combines_the_monitor_with_the_nurses_observation(ctx: AppContext, qtbot: QtBot) -> None:
    from datetime import UTC, datetime, timedelta

    from hms_desktop.domain.observations import Observation

    ctx.services.observations.record(Observation(
        patient_id="PAT000005", at=datetime.now(UTC) - timedelta(minutes=20), respiration_rate=22,
        spo2=99, on_oxygen=False, systolic=120, pulse=70, consciousness="alert", temperature=37.0))
    ctx.services.observations.record(Observation(
        patient_id="PAT000006", at=datetime.now(UTC) - timedelta(hours=9), respiration_rate=16,
        spo2=99, on_oxygen=False, systolic=120, pulse=70, consciousness="alert", temperature=37.0))
    tab = create_tab(ctx)
    qtbot.addWidget(tab)
    controller = ctx.monitor_controller
    controller.start_monitoring("BED01", "PAT000005", "synthetic", "cms50-v7",
                                source=SyntheticOximeter(spo2=93, pulse_rate=115))
    controller.start_monitoring("BED02", "PAT000006", "synthetic", "cms50-v7",
                                source=SyntheticOximeter(spo2=97, pulse_rate=70))
    tile1, tile2 = tab.station.tiles["BED01"], tab.station.tiles["BED02"]
    # live SpO2 93 (2) + live pulse 115 (2) + manual respiration 22 (2) = 6
    qtbot.waitUntil(lambda: tile1.news2_label.text() == "NEWS2 6", timeout=5000)
    # a 9-hour-old manual set is stale: a partial lower bound, naming what is stale
    qtbot.waitUntil(lambda: tile2.news2_label.text().startswith("NEWS2 partial ≥0 — older than 4 h"),
                    timeout=5000)


def test_default_alarm_limits_are_edited_from_the_tab(ctx: AppContext, qtbot: QtBot) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from hms_desktop.ui.monitor.dialogs import LimitsDialog

    tab = create_tab(ctx)
    qtbot.addWidget(tab)

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, LimitsDialog)
        dialog.inputs["spo2_low"].setValue(92)
        dialog.accept()

    QTimer.singleShot(100, fill)
    tab.default_limits.click()
    qtbot.waitUntil(lambda: ctx.services.monitoring.limits_for("PAT000077").spo2_low == 92, timeout=5000)
