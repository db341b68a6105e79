"""What a nurse reads at a glance: patient names on tiles, DEMO on simulated beds, and a
live alarm list readable without scrolling at 1400 px."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QLabel, QTableWidget
from pytestqt.qtbot import QtBot

from hms_desktop.devices.simulated import DEMO_NOTICE, DEMO_PORT
from hms_desktop.devices.sources import SyntheticOximeter
from hms_desktop.domain.alarm_limits import AlarmKind, AlarmLimits
from hms_desktop.domain.patient import Patient
from hms_desktop.ui.context import AppContext
from hms_desktop.ui.monitor import create_tab
from hms_desktop.ui.monitor.station_view import StationView
from tests.ui.monitor_helpers import make_station, monitor_context

FAST = AlarmLimits(satseconds=0, spo2_delay_s=1, pr_delay_s=1, technical_delay_s=1, clear_after_s=1)


def find(view, cls, name):  # type: ignore[no-untyped-def]
    w = next((w for w in view.findChildren(cls) if w.accessibleName() == name), None)
    assert w is not None, f"no {cls.__name__} named {name!r}"
    return w


@pytest.fixture
def ctx(data_dir: Path, qtbot: QtBot) -> Iterator[AppContext]:
    with monitor_context(data_dir, "nurse.polish") as context:
        yield context


def test_tile_and_bed_view_show_the_patients_name_and_id(ctx: AppContext, qtbot: QtBot) -> None:
    patient = ctx.services.patients.register(Patient(given_name="Ada", family_name="Lovelace",
                                                     date_of_birth=date(1950, 12, 10), phone="+447911123456"))
    tab = create_tab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    controller = ctx.monitor_controller
    controller.start_monitoring("BED02", patient.id, "/dev/ttyUSB7", "cms50-v7",
                                source=SyntheticOximeter(spo2=97, pulse_rate=70))
    label = find(tab, QLabel, "BED02 patient")
    qtbot.waitUntil(lambda: label.text() == f"Ada Lovelace · {patient.id}", timeout=5000)
    assert "Ada Lovelace" in tab.station.tiles["BED02"].accessibleDescription()
    assert find(tab, QLabel, "BED01 patient").text() == "no patient"
    tab.station.show_bed("BED02")
    assert find(tab, QLabel, "bed view title").text() == f"Bed 2 — Ada Lovelace · {patient.id}"


def test_unknown_patient_shows_the_id_alone(ctx: AppContext, qtbot: QtBot) -> None:
    tab = create_tab(ctx)
    qtbot.addWidget(tab)
    ctx.monitor_controller.start_monitoring("BED01", "PAT999999", "/dev/ttyUSB7", "cms50-v7",
                                            source=SyntheticOximeter())
    label = find(tab, QLabel, "BED01 patient")
    qtbot.waitUntil(lambda: label.text() == "PAT999999", timeout=5000)


@pytest.fixture
def station(qtbot, data_dir: Path) -> Iterator[tuple]:  # type: ignore[no-untyped-def,type-arg]
    store, service, controller, sound = make_station(
        data_dir, patient_name=lambda pid: {"PAT000001": "Grace Hopper", "PAT000002": "Alan Turing"}.get(pid, pid))
    service.set_limits("PAT000001", FAST)
    view = StationView(controller)
    qtbot.addWidget(view)
    view.resize(1400, 900)
    controller.start()
    view.show()
    yield controller, view
    controller.stop()
    store.close()


def test_a_demo_device_bed_says_demo_on_the_tile_and_in_the_bed_view(qtbot, station) -> None:  # type: ignore[no-untyped-def]
    controller, view = station
    controller.start_monitoring("BED01", "PAT000001", DEMO_PORT, "cms50-v7", source=SyntheticOximeter())
    controller.start_monitoring("BED02", "PAT000002", "/dev/ttyUSB0", "cms50-v7", source=SyntheticOximeter())
    demo = find(view, QLabel, "BED01 demo notice")
    qtbot.waitUntil(demo.isVisible, timeout=3000)
    assert demo.text() == DEMO_NOTICE == "DEMO — simulated oximeter"
    assert DEMO_NOTICE in view.tiles["BED01"].accessibleDescription()
    assert not find(view, QLabel, "BED02 demo notice").isVisible()  # a real port: no notice
    assert DEMO_NOTICE not in view.tiles["BED02"].accessibleDescription()
    view.show_bed("BED01")
    banner = find(view, QLabel, "bed view demo notice")
    assert banner.isVisible() and banner.text() == DEMO_NOTICE
    assert DEMO_NOTICE in find(view, QLabel, "device state").text()
    view.show_bed("BED02")
    assert not banner.isVisible()
    controller.end_monitoring("BED01")
    view.show_grid()
    assert not demo.isVisible()  # the bed is free again: nothing simulated on it


@pytest.mark.slow
def test_live_alarm_list_is_readable_at_1400_px_without_scrolling(qtbot, station) -> None:  # type: ignore[no-untyped-def]
    controller, view = station
    src = SyntheticOximeter(spo2=97)
    controller.start_monitoring("BED01", "PAT000001", "/dev/ttyUSB0", "cms50-v7", source=src)
    mon = controller.monitors["BED01"]
    qtbot.waitUntil(lambda: mon.numerics.spo2 == 97, timeout=3000)
    src.spo2 = 82
    qtbot.waitUntil(lambda: mon.engine.alarm(AlarmKind.SPO2_LOW) is not None, timeout=3000)
    live = find(view, QTableWidget, "live alarms")
    qtbot.waitUntil(lambda: live.rowCount() == 1, timeout=2000)
    text = live.item(0, 0).text()
    head, patient, when = text.split("\n")
    assert head.startswith("*** SpO2 low") and head.endswith("— Bed 1")
    assert patient == "Grace Hopper · PAT000001"
    assert when.startswith("since ") and when.endswith("not acknowledged")
    # Nothing hidden: no horizontal scrolling, and the wrapped text fits its row.
    qtbot.wait(50)
    assert live.horizontalScrollBar().maximum() == 0
    width = live.columnWidth(0)
    assert width <= live.viewport().width()
    needed = live.fontMetrics().boundingRect(QRect(0, 0, width - 8, 10_000),
                                             int(Qt.TextFlag.TextWordWrap), text).height()
    assert live.rowHeight(0) >= needed
    controller.acknowledge("BED01", AlarmKind.SPO2_LOW)
    assert "acknowledged by nurse.test at " in live.item(0, 0).text().split("\n")[-1]
