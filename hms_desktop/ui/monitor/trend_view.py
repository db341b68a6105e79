"""24-hour and multi-day trends of SpO2 and pulse rate from the day files, alarms marked.

Used by the Monitor tab and by the patient's Record (``TrendView(service, run)`` then
``set_patient(patient_id)``). Reading happens on the writer thread via ``run``; the plot
zooms with the mouse wheel / drag on the time axis, and "Reset zoom" returns to the range.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QVBoxLayout, QWidget

from hms_desktop.domain.alarm_limits import Priority
from hms_desktop.services.monitoring import AlarmRecord, MonitoringService
from hms_desktop.ui.monitor.alarm_style import COLOURS
from hms_desktop.ui.monitor.trend_strip import PR_COLOUR, SPO2_COLOUR, cosmetic_pen
from hms_desktop.ui.monitor.widgets import button, label, named, row

RANGES: dict[str, timedelta] = {"24 hours": timedelta(hours=24), "3 days": timedelta(days=3),
                                "7 days": timedelta(days=7)}
Run = Callable[..., Any]


class TrendView(QWidget):
    def __init__(self, service: MonitoringService, run: Run, *, now: Callable[[], datetime] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "vitals trend")
        self.service = service
        self.run = run
        self.now = now or (lambda: datetime.now(UTC))
        self.patient_id = ""
        self.range_box = named(QComboBox(), "trend range")
        self.range_box.addItems(list(RANGES))
        self.reset = button("reset trend zoom", "Reset &zoom")
        self.status = label("trend status")
        self.plot = named(pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem()}, background="k"), "trend plot")
        self.plot.setMouseEnabled(x=True, y=False)
        self.plot.getPlotItem().setYRange(30, 200, padding=0)
        self.plot.addLegend()
        self.spo2_curve = self.plot.plot(pen=cosmetic_pen(SPO2_COLOUR), connect="finite", name="SpO2 %")
        self.pr_curve = self.plot.plot(pen=cosmetic_pen(PR_COLOUR), connect="finite", name="PR /min")
        self.markers = pg.ScatterPlotItem(size=10, symbol="t")
        self.plot.addItem(self.markers)
        self.alarms: list[AlarmRecord] = []
        self.points = 0
        caption = label("trend range caption", "Time &window:")
        caption.setBuddy(self.range_box)
        layout = QVBoxLayout(self)
        layout.addLayout(row(caption, self.range_box, self.reset, self.status, stretch_before=3))
        layout.addWidget(self.plot, 1)
        self.range_box.currentTextChanged.connect(lambda _t: self.reload())
        self.reset.clicked.connect(self._reset_zoom)
        self._window: tuple[float, float] = (0.0, 1.0)

    def set_patient(self, patient_id: str) -> None:
        self.patient_id = patient_id
        self.reload()

    def reload(self) -> None:
        if not self.patient_id:
            self._show(([], [], []), [])
            self.status.setText("No patient selected")
            return
        end = self.now()
        start = end - RANGES[self.range_box.currentText()]
        self._window = (start.timestamp(), end.timestamp())
        pid = self.patient_id
        self.status.setText("Loading…")

        def load() -> tuple[tuple[list[float], list[float], list[float]], list[AlarmRecord]]:
            return (self.service.trend(pid, start, end),
                    self.service.alarm_history(start, end, patient_id=pid))

        self.run(load, on_done=lambda result: self._show(*result), what="reading the vitals trend")

    def _show(self, series: tuple[list[float], list[float], list[float]], alarms: list[AlarmRecord]) -> None:
        t, spo2, pr = (np.asarray(a, dtype=np.float64) for a in series)
        self.points = len(t)
        self.spo2_curve.setData(t, spo2, connect="finite")
        self.pr_curve.setData(t, pr, connect="finite")
        self.alarms = alarms
        spots = [{"pos": (a.started_at.timestamp(), 195.0),
                  "brush": pg.mkBrush(COLOURS.get(Priority(a.priority), "#ffffff")
                                      if a.priority in Priority.__members__.values() else "#ffffff"),
                  "data": a.alarm_id} for a in alarms]
        self.markers.setData(spots)
        self.status.setText(f"{self.points} readings, {len(alarms)} alarms" if self.patient_id else "")
        self._reset_zoom()

    def _reset_zoom(self) -> None:
        self.plot.getPlotItem().setXRange(*self._window, padding=0)
