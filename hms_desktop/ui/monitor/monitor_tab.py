"""The Monitor tab: the nurse station (beds, alarms) and the current patient's trends."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.ui.monitor.bed_actions import BedActions
from hms_desktop.ui.monitor.controller import StationController
from hms_desktop.ui.monitor.station_view import StationView, wrapping_label
from hms_desktop.ui.monitor.trend_view import TrendView
from hms_desktop.ui.monitor.widgets import button, label, named, row

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext


class MonitorTab(QWidget):
    def __init__(self, controller: StationController, *, current_patient: Any = None,
                 patient_exists: Callable[[str], bool] | None = None, recording_off: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "monitor tab")
        self.controller = controller
        self.current_patient = current_patient
        self.station = StationView(controller)
        self.trends = TrendView(controller.service, controller.run)
        self.pages = named(QTabWidget(), "monitor pages")
        self.pages.addTab(self.station, "&Station")
        self.pages.addTab(self.trends, "&Trends")
        self.message = wrapping_label("monitor message")
        self.bed_actions = BedActions(controller, self, say=self.message.setText,
                                  current_patient=current_patient, patient_exists=patient_exists)
        self.add_bed = button("add bed", "Add &bed…", self.bed_actions.add_bed)
        self.connect_button = button("start monitoring", "Start &monitoring…", self.bed_actions.start_monitoring)
        self.default_limits = button("default alarm limits", "&Default alarm limits…",
                                     self.bed_actions.edit_defaults)
        self.station.set_recording_off(recording_off)
        self.recording_off = self.station.recording_off
        layout = QVBoxLayout(self)
        layout.addLayout(row(self.add_bed, self.connect_button, self.default_limits, self.message,
                             stretch_before=3))
        layout.addWidget(self.pages, 1)
        self.bed_actions.attach(self.station.bed_view)
        controller.sig_error_reported.connect(self.message.setText)
        if current_patient is not None:
            current_patient.sig_patient_changed.connect(self.trends.set_patient)
            self.trends.set_patient(current_patient.patient_id)


def observer_page(ctx: AppContext) -> QWidget:
    """The Monitor tab of a window that does not hold the data folder: it names the window that
    monitors the beds and opens no device (a second reader distorted the first station's
    waveform and blanked its numbers without an alarm)."""
    if ctx.session.held_elsewhere:
        holder = ctx.session.read_only_reason or "another HMS Desktop window has this data folder"
        text = (f"Beds are monitored by another window.\n\n{holder}.\n\nThis window does not open "
                "oximeters or record; use the nurse station of the window that holds the data folder.")
    else:  # e.g. a folder written by a newer version, opened read-only: nobody monitors here
        reason = ctx.session.read_only_reason or "this window cannot write to the data folder"
        text = (f"This window does not monitor beds.\n\n{reason}.\n\nMonitoring records every "
                "reading, so it runs only in a window that can write to the data folder.")
    page = label("monitor observer notice", text)
    page.setWordWrap(True)
    page.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return page


def build_controller(ctx: AppContext, *, sound: Any = None) -> StationController:
    """The station controller of an application context (real speaker, care lookup).

    One per context: the Monitor tab and a kiosk station window share it, so a bed has one
    device reader, one alarm engine and one recording, whichever window shows it.
    """
    if ctx.monitor_controller is not None:
        return ctx.monitor_controller
    from hms_desktop.ui.monitor.news2_inputs import manual_lookup_for
    from hms_desktop.ui.monitor.patient_names import patient_name_lookup
    from hms_desktop.ui.monitor.sound import QtAlarmSound

    controller = StationController(ctx.services.monitoring, ctx.run, sound=sound or QtAlarmSound(),
                                   manual_lookup=manual_lookup_for(ctx.services),
                                   patient_name=patient_name_lookup(ctx.services),
                                   wearables=ctx.services.wearables, parent=ctx)
    ctx.sig_closing.connect(controller.stop)  # the last vitals reach the writer before it stops
    app = QApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(controller.stop)  # readers' threads end before the app does
    from hms_desktop.ui.monitor.countersign import countersigner

    controller.countersign = countersigner(ctx)  # a nurse signs in over a station for one action
    ctx.monitor_controller = controller
    return controller
