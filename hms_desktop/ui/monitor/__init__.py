"""The Monitor tab and the nurse-station kiosk (issue 7).

``create_tab(ctx)`` builds the tab; ``station.start_station(ctx, specs, screen)`` starts
the full-screen station from ``--station --monitor BED=PORT[@PROTOCOL][:PATIENT_ID]``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QWidget

from hms_desktop.domain.accounts import Permission

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext


def create_tab(ctx: AppContext) -> QWidget:
    from hms_desktop.ui.monitor.bed_actions import patient_check
    from hms_desktop.ui.monitor.monitor_tab import MonitorTab, build_controller, observer_page

    if not ctx.session.holds_folder_lock:
        # Another window owns this folder and its devices: never open a port from here.
        return observer_page(ctx)
    controller = build_controller(ctx)
    tab = MonitorTab(controller, current_patient=ctx.current_patient, patient_exists=patient_check(ctx),
                     recording_off=ctx.session.read_only_reason)
    ctx.write_guard.register(tab.add_bed, tab.default_limits, needs=Permission.CONTROL_MONITORING)
    # Start monitoring is not guarded here: a window that holds the folder but cannot write
    # still monitors (without recording), and at a station a nurse or clinician signs in over
    # it for that start (ui/monitor/countersign.py); the tab is built only for roles that view beds.
    controller.start()
    return tab


def start_beds(ctx: AppContext) -> Any:
    """Start the station controller with the window, not with the Monitor tab: beds keep
    recording and alarming before anyone signs in, while the screen is locked and whatever
    the signed-in role may see (the lock screen lists the alarms). None in a window that
    does not hold the data folder (it opens no device)."""
    from hms_desktop.ui.monitor.monitor_tab import build_controller

    if not ctx.session.holds_folder_lock:
        return None
    controller = build_controller(ctx)
    controller.start()
    return controller


def create_trend_view(ctx: AppContext) -> QWidget:
    """A vitals trend for the Record tab: follows ``ctx.current_patient``."""
    from hms_desktop.ui.monitor.trend_view import TrendView

    view = TrendView(ctx.services.monitoring, ctx.run)
    ctx.current_patient.sig_patient_changed.connect(view.set_patient)
    view.set_patient(ctx.current_patient.patient_id)
    return view


#: Pages for the Record tab, in the shape of ``ui/record/pages.py::RECORD_PAGES``.
MONITOR_PAGES: list[tuple[str, Callable[[Any], QWidget]]] = [("Monitored vitals", create_trend_view)]
