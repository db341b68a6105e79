"""No Alt+letter is taken twice on any Monitor screen: the tab inside the main window (grid,
bed view, trends, alarm history), the kiosk station and every monitor dialog (issue 11
item 16: Alt+P was both Audio pause and Pause monitoring; Alt+B and Alt+L were shared)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from hms_desktop.domain.monitoring import Bed
from hms_desktop.ui.monitor.dialogs import ConnectDialog, LimitsDialog
from hms_desktop.ui.monitor.station import start_station
from tests.ui.mnemonics import duplicated_mnemonics, visible_mnemonics
from tests.ui.shell_helpers import *  # noqa: F403 (pytest fixtures make_window, shell_tables)
from tests.ui.shell_helpers import MakeWindow, find


def _settle(qtbot: QtBot) -> None:
    QApplication.processEvents()
    qtbot.wait(10)


def assert_unique(window: QWidget, where: str) -> None:
    assert duplicated_mnemonics(window) == {}, f"{where}: {visible_mnemonics(window)}"


def test_monitor_tab_in_the_main_window_has_no_shared_alt_keys(make_window: MakeWindow,
                                                               qtbot: QtBot) -> None:
    window = make_window()
    ctx = window.ctx
    assert ctx is not None
    ctx.services.monitoring.add_beds([Bed(id="BED01", name="Bed 1")])
    controller = ctx.monitor_controller
    controller.reload_beds()
    window.show_tab("Monitor")
    tab = find(window, "monitor tab")
    _settle(qtbot)
    assert_unique(window, "station grid")
    tab.station.show_bed("BED01")
    _settle(qtbot)
    assert find(window, "pause monitoring").isVisible()
    assert_unique(window, "bed view")
    tab.station.alarm_list.tabs.setCurrentIndex(1)
    _settle(qtbot)
    assert_unique(window, "alarm history")
    tab.pages.setCurrentWidget(tab.trends)
    _settle(qtbot)
    assert_unique(window, "trends")

    kiosk = start_station(ctx, [], full_screen=False)
    qtbot.addWidget(kiosk)
    _settle(qtbot)
    assert_unique(kiosk, "kiosk grid")
    kiosk.show_bed("BED01")
    _settle(qtbot)
    assert_unique(kiosk, "kiosk bed view")


def test_monitor_dialogs_have_no_shared_alt_keys(data_dir: Path, qtbot: QtBot) -> None:
    from hms_desktop.domain.alarm_limits import AlarmLimits

    for dialog in (ConnectDialog(["BED01"]), LimitsDialog("PAT000001", AlarmLimits(id="PAT000001"))):
        qtbot.addWidget(dialog)
        dialog.show()
        _settle(qtbot)
        assert_unique(dialog, dialog.objectName())
        dialog.close()
