"""Kiosk start of the nurse station: ``python main.py --station --monitor BED=PORT[@PROTOCOL][:PATIENT_ID]``.

No clicks: beds named on the command line are created if new, each port is opened and,
when a patient id is given, a monitoring session starts. The window goes full screen on
the chosen screen (or the primary one).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from hms_desktop.ui.monitor.bed_actions import BedActions, patient_check
from hms_desktop.ui.monitor.bed_naming import find_bed, new_bed
from hms_desktop.ui.monitor.controller import StationController
from hms_desktop.ui.monitor.station_spec import MonitorSpec, parse_monitor_specs
from hms_desktop.ui.monitor.station_view import StationView

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext


def start_station(ctx: AppContext | None, specs: list[str], screen: int | None = None, *,
                  controller: StationController | None = None, full_screen: bool = True) -> QWidget:
    """Build, connect and show the station; raises ValueError naming a bad ``--monitor`` option."""
    if ctx is not None and not ctx.session.holds_folder_lock:
        raise ValueError("The nurse station runs only in the window that holds the data folder: "
                         f"{ctx.session.read_only_reason or 'another window has it'}")
    parsed = parse_monitor_specs(specs)  # fail before opening anything
    screens = QGuiApplication.screens()
    if screen is not None and not 0 <= screen < len(screens):
        raise ValueError(f"--screen {screen}: this machine has screens 0..{len(screens) - 1}")
    if controller is None:
        if ctx is None:
            raise ValueError("the nurse station needs an open data folder or a controller")
        from hms_desktop.ui.monitor.monitor_tab import build_controller

        controller = build_controller(ctx)
    bed_ids = [_bed_for(controller, spec) for spec in parsed]
    view = StationView(controller)
    view.setWindowTitle("HMS nurse station")
    view.bed_actions = BedActions(controller, view, say=view.say, patient_exists=patient_check(ctx))
    view.bed_actions.attach(view.bed_view)
    controller.sig_error_reported.connect(view.say)
    if ctx is not None and ctx.session.read_only:
        view.set_recording_off(ctx.session.read_only_reason)
    controller.start()
    for bed_id, spec in zip(bed_ids, parsed, strict=True):
        mon = controller.monitors[bed_id]
        if spec.patient_id:
            if mon.session is not None:  # a session left open by a previous run: end it cleanly
                controller.end_monitoring(bed_id)
            controller.start_monitoring(bed_id=bed_id, patient_id=spec.patient_id, port=spec.port,
                                        protocol=spec.protocol)
        else:
            # No patient: show the device live (numbers, pleth) without recording or alarming.
            controller.attach_source(bed_id, controller.open_source(spec.port, spec.protocol),
                                     spec.port, spec.protocol)
    if screen is not None:
        view.setScreen(screens[screen])
        view.move(screens[screen].geometry().topLeft())
    if full_screen:
        view.showFullScreen()
    else:
        view.show()
    return view


def _bed_for(controller: StationController, spec: MonitorSpec) -> str:
    """The id of the bed ``spec`` names ("1" is "Bed 1"), created with the ward's naming if new."""
    beds = controller.service.beds()
    bed = find_bed(spec.bed_id, beds)
    if bed is None:
        bed = new_bed(spec.bed_id, beds)
        controller.service.add_beds([bed])  # kiosk start-up, before any device is open
    controller.reload_beds()
    return bed.id
