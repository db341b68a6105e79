"""The Monitor tab: the nurse station (beds, alarms) and the current patient's trends."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QInputDialog,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.domain.alarm_limits import DEFAULT_LIMITS_ID
from hms_desktop.domain.monitoring import Bed
from hms_desktop.ui.monitor.controller import StationController
from hms_desktop.ui.monitor.dialogs import ConnectDialog, LimitsDialog
from hms_desktop.ui.monitor.station_view import StationView
from hms_desktop.ui.monitor.trend_view import TrendView
from hms_desktop.ui.monitor.widgets import button, label, named, row


class MonitorTab(QWidget):
    def __init__(self, controller: StationController, *, current_patient: Any = None,
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
        self.add_bed = button("add bed", "Add &bed…", self._add_bed)
        self.connect_button = button("start monitoring", "Start &monitoring…", self._connect)
        self.default_limits = button("default alarm limits", "&Default alarm limits…", self._edit_defaults)
        self.message = label("monitor message")
        layout = QVBoxLayout(self)
        layout.addLayout(row(self.add_bed, self.connect_button, self.default_limits, self.message,
                             stretch_before=3))
        layout.addWidget(self.pages, 1)
        self.station.bed_view.sig_connect_requested.connect(self._connect)
        self.station.bed_view.sig_limits_requested.connect(self._edit_limits)
        controller.sig_error_reported.connect(self.message.setText)
        if current_patient is not None:
            current_patient.sig_patient_changed.connect(self.trends.set_patient)
            self.trends.set_patient(current_patient.patient_id)

    def _add_bed(self) -> None:
        bed_id, ok = QInputDialog.getText(self, "Add bed", "Bed id (e.g. BED05):")
        if not ok or not bed_id.strip():
            return
        try:
            bed = Bed(id=bed_id.strip(), name=bed_id.strip(), position=len(self.controller.monitors))
        except ValueError as exc:
            self.message.setText(str(exc).splitlines()[-1] if str(exc) else "invalid bed id")
            return
        self.controller.run(self.controller.service.add_beds, [bed],
                            on_done=lambda _r: self.controller.reload_beds(), what=f"bed {bed.id}")

    def _connect(self, bed: str = "") -> None:
        free = [b for b, m in self.controller.monitors.items() if m.session is None]
        patient = self.current_patient.patient_id if self.current_patient is not None else ""
        dialog = ConnectDialog(free, bed=bed, patient_id=patient, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.controller.start_monitoring(*dialog.values())

    def _edit_defaults(self) -> None:
        """Clinic-wide limits: used for every patient without limits of their own."""
        service = self.controller.service
        dialog = LimitsDialog(DEFAULT_LIMITS_ID, service.limits_for(""), parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.result_limits is not None:
            self.controller.run(service.set_limits, "", dialog.result_limits, what="default alarm limits")

    def _edit_limits(self, bed_id: str) -> None:
        mon = self.controller.monitors[bed_id]
        dialog = LimitsDialog(mon.patient_id, mon.engine.limits, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.result_limits is not None:
            self.controller.set_limits(bed_id, dialog.result_limits)


def build_controller(ctx: Any, *, sound: Any = None) -> StationController:
    """The station controller of an application context (real speaker, care lookup).

    One per context: the Monitor tab and a kiosk station window share it, so a bed has one
    device reader, one alarm engine and one recording, whichever window shows it.
    """
    existing = getattr(ctx, "monitor_controller", None)
    if isinstance(existing, StationController):
        return existing
    from hms_desktop.ui.monitor.news2_inputs import manual_lookup_for
    from hms_desktop.ui.monitor.patient_names import patient_name_lookup
    from hms_desktop.ui.monitor.sound import QtAlarmSound

    controller = StationController(ctx.services.monitoring, ctx.run, sound=sound or QtAlarmSound(),
                                   manual_lookup=manual_lookup_for(ctx.services),
                                   patient_name=patient_name_lookup(ctx.services),
                                   wearables=getattr(ctx.services, "wearables", None), parent=ctx)
    closing = getattr(ctx, "sig_closing", None)
    if closing is not None:
        closing.connect(controller.stop)  # the last vitals reach the writer before it stops
    app = QApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(controller.stop)  # readers' threads end before the app does
    ctx.monitor_controller = controller
    return controller
