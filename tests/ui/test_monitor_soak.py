"""Soak: 16 beds of live pleth on the nurse station for 500+ frames offscreen.

Guards the PySide6 6.12.0 defect (ARCHITECTURE §5): overriding QGraphicsItem.paint from
Python corrupted the refcount of None until the interpreter aborted. If refcount(None)
ever falls during sustained plotting, this fails long before that abort.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from hms_desktop.devices.sources import SyntheticOximeter
from hms_desktop.ui.monitor.station_view import StationView
from tests.ui.monitor_helpers import make_station


@pytest.mark.slow
def test_sixteen_beds_500_frames_refcount_of_none_never_falls(qtbot, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    store, service, controller, _sound = make_station(data_dir, beds=16, fps=1000)
    view = StationView(controller)
    qtbot.addWidget(view)
    view.resize(1600, 1000)
    view.show()
    threads_before = set(threading.enumerate())
    controller.start()
    sources = []
    for i in range(16):
        src = SyntheticOximeter(spo2=90 + i % 8, pulse_rate=60 + i)
        controller.start_monitoring(f"BED{i + 1:02d}", f"PAT{i + 1:06d}", "synthetic", "cms50-v7", source=src)
        sources.append(src)
    controller._frame_timer.stop()  # drive frames ourselves: as fast as the machine paints
    app = QApplication.instance()
    start = lowest = sys.getrefcount(None)
    for frame in range(540):
        for src in sources:  # 60 Hz / 30 batches: two samples per bed per frame
            src.sig_readings_received.emit(src.make_batch(2))
        controller._frame()
        app.processEvents()
        view.repaint()
        if frame == 40:  # warm: caches and fonts built; from here on it must hold
            start = lowest = sys.getrefcount(None)
        lowest = min(lowest, sys.getrefcount(None))
        # Normal churn moves it by tens; the defect drops it by one or more per paint.
        assert lowest >= start - 500, f"refcount(None) fell from {start} to {lowest} at frame {frame}"
    assert controller.frames >= 500
    for tile in view.tiles.values():
        assert np.isfinite(tile.pleth.trace()[1]).sum() > 100
    controller.stop()
    assert set(threading.enumerate()) <= threads_before | {t for t in threading.enumerate() if t.daemon}
    store.close()
