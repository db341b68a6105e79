"""App-level wiring of the Monitor feature: the demo device.

The composition root calls these once the AppContext exists. They only use the monitor
package's public pieces (``build_controller``, ``DEMO_PORT``) and do nothing when a build
has no monitor package.
"""

from __future__ import annotations

import logging
from typing import Any

from hms_desktop.services.session import DEMO_MARKER
from hms_desktop.ui.context import AppContext

log = logging.getLogger(__name__)
DEMO_PROTOCOL = "cms50-legacy"


def start_demo_device(ctx: AppContext) -> str:
    """Monitor the first bed from a simulated oximeter ("Demo device"); returns the bed id.

    Only in a folder the app filled with demo data (it holds ``.demo-data``) and only when
    no bed has a device yet: fake vitals must never reach a real clinic's records.
    Returns "" when it did nothing.
    """
    if ctx.read_only or not (ctx.data_dir / DEMO_MARKER).exists():
        return ""
    try:
        from hms_desktop.ui.monitor.monitor_tab import build_controller
        from hms_desktop.ui.monitor.sources import DEMO_PORT
    except ImportError:
        return ""
    controller: Any = build_controller(ctx)
    controller.start()
    monitors = controller.monitors
    if not monitors or any(mon.port for mon in monitors.values()):
        return ""
    patients = ctx.services.patients.ids()
    if not patients:
        return ""
    bed_id = min(monitors, key=lambda b: (monitors[b].bed.position, b))
    controller.start_monitoring(bed_id, patients[0], DEMO_PORT, DEMO_PROTOCOL)
    ctx.sig_status_posted.emit(
        f"Demo data folder: {monitors[bed_id].bed.name} shows a simulated oximeter (Demo device)")
    log.info("demo device started on %s for %s", bed_id, patients[0])
    return str(bed_id)
