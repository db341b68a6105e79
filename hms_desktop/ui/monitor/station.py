"""Kiosk start of the nurse station: ``python main.py --station --monitor BED=PORT[@PROTOCOL][:PATIENT_ID]``.

No clicks: beds named on the command line are created if new, each port is opened and,
when a patient id is given, a monitoring session starts. The window goes full screen on
the chosen screen (or the primary one).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from hms_desktop.ui.monitor.controller import StationController
from hms_desktop.ui.monitor.station_spec import parse_monitor_specs
from hms_desktop.ui.monitor.station_view import StationView


def start_station(ctx: Any, specs: list[str], screen: int | None = None, *,
                  controller: StationController | None = None, full_screen: bool = True) -> QWidget:
    """Build, connect and show the station; raises ValueError naming a bad ``--monitor`` option."""
    parsed = parse_monitor_specs(specs)  # fail before opening anything
    screens = QGuiApplication.screens()
    if screen is not None and not 0 <= screen < len(screens):
        raise ValueError(f"--screen {screen}: this machine has screens 0..{len(screens) - 1}")
    if controller is None:
        from hms_desktop.ui.monitor.monitor_tab import build_controller

        controller = build_controller(ctx)
    for spec in parsed:
        controller.ensure_bed(spec.bed_id)
    view = StationView(controller)
    view.setWindowTitle("HMS nurse station")
    controller.start()
    for spec in parsed:
        mon = controller.monitors[spec.bed_id]
        if spec.patient_id:
            if mon.session is not None:  # a session left open by a previous run: end it cleanly
                controller.end_monitoring(spec.bed_id)
            controller.start_monitoring(spec.bed_id, spec.patient_id, spec.port, spec.protocol)
        else:
            # No patient: show the device live (numbers, pleth) without recording or alarming.
            controller.attach_source(spec.bed_id, controller.open_source(spec.port, spec.protocol),
                                      spec.port, spec.protocol)
    if screen is not None:
        view.setScreen(screens[screen])
        view.move(screens[screen].geometry().topLeft())
    if full_screen:
        view.showFullScreen()
    else:
        view.show()
    return view
