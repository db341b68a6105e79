"""The Monitor tab and the kiosk station at a logical 1366×768 and 960×540 (1920×1080 at 2×):
the window is not forced larger, every control is inside it (or in a scroll area inside it)
and the alarm list is on screen beside the beds (issue 13 item 2, Monitor part)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from hms_desktop.domain.monitoring import Bed
from hms_desktop.ui.context import AppContext
from hms_desktop.ui.monitor import create_tab
from hms_desktop.ui.monitor.station import start_station
from tests.ui.layout_check import outside_controls, rect_in_window
from tests.ui.monitor_helpers import monitor_context

SCREENS = [(1366, 768), (960, 540)]
#: What the main window around the tab takes: menu bar, tab bar, status bar, frame.
MAIN_WINDOW_CHROME = 100


@pytest.fixture
def ctx(data_dir: Path, qtbot: QtBot) -> Iterator[AppContext]:
    with monitor_context(data_dir, "nurse.layout") as context:  # 16 beds: the station's most
        context.services.monitoring.add_beds(
            [Bed(id=f"BED{i:02d}", name=f"Bed {i}", position=i) for i in range(3, 17)])
        yield context


def check_fits(window: QWidget, size: tuple[int, int], where: str, alarm_list: QWidget) -> None:
    window.resize(*size)
    QApplication.processEvents()
    assert (window.width(), window.height()) == size, f"{where}: forced to {window.size().toTuple()}"
    assert outside_controls(window) == [], where
    assert alarm_list.isVisible() and alarm_list.width() >= 200, where
    assert window.rect().contains(rect_in_window(alarm_list, window)), where


@pytest.mark.parametrize("screen", SCREENS)
def test_monitor_tab_fits(ctx: AppContext, qtbot: QtBot, screen: tuple[int, int]) -> None:
    tab = create_tab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    size = (screen[0], screen[1] - MAIN_WINDOW_CHROME)
    alarm_list = tab.station.alarm_list
    check_fits(tab, size, "grid", alarm_list)
    assert len(tab.station.tiles) == 16
    tab.station.show_bed("BED01")
    check_fits(tab, size, "bed view", alarm_list)
    tab.pages.setCurrentWidget(tab.trends)
    QApplication.processEvents()
    assert outside_controls(tab) == []


@pytest.mark.parametrize("screen", SCREENS)
def test_kiosk_fits(ctx: AppContext, qtbot: QtBot, screen: tuple[int, int]) -> None:
    kiosk = start_station(ctx, [], full_screen=False)
    qtbot.addWidget(kiosk)
    check_fits(kiosk, screen, "kiosk grid", kiosk.alarm_list)
    kiosk.show_bed("BED16")
    check_fits(kiosk, screen, "kiosk bed view", kiosk.alarm_list)
