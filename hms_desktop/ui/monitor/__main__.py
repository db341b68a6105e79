"""A quick look at the Monitor tab on its own: ``python -m hms_desktop.ui.monitor [DATA_DIR]``.

Uses a temporary data folder with demo monitoring data unless one is given, and feeds
four beds from synthetic oximeters (one desaturating) so alarms and sound can be seen.
"""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication


def main() -> int:
    from hms_desktop.devices.sources import SyntheticOximeter
    from hms_desktop.services.demo import monitoring as demo
    from hms_desktop.ui.composition import close_context, open_context
    from hms_desktop.ui.monitor import create_tab

    app = QApplication.instance() or QApplication(sys.argv)
    tmp = None
    if len(sys.argv) > 1:
        folder = Path(sys.argv[1])
    else:
        tmp = tempfile.TemporaryDirectory(prefix="hms-monitor-")
        folder = Path(tmp.name)
    ctx = open_context(folder)
    if not ctx.services.monitoring.beds():
        demo.generate(ctx.services, random.Random(1), patients=4, progress=lambda s, f: None)
    tab = create_tab(ctx)
    controller = ctx.monitor_controller
    assert controller is not None  # create_tab built it
    for i, bed in enumerate(list(controller.monitors)[:4]):
        if controller.monitors[bed].session is None:
            src = SyntheticOximeter(spo2=84 if i == 1 else 96, pulse_rate=62 + 9 * i)
            controller.start_monitoring(bed, f"PAT{i + 1:06d}", "synthetic", "cms50-v7", source=src)
    ctx.current_patient.select("PAT000001")
    tab.resize(1400, 900)
    tab.show()
    code = app.exec()
    close_context(ctx)
    if tmp is not None:
        tmp.cleanup()
    return int(code)


if __name__ == "__main__":
    raise SystemExit(main())
