"""The bed view's 1-hour trend strip of SpO2 and pulse rate (from the bed's TrendBuffer)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

from hms_desktop.monitoring.ring_buffer import TrendBuffer
from hms_desktop.ui.monitor.widgets import named

SPO2_COLOUR, PR_COLOUR = "#4dd0e1", "#81c784"


def cosmetic_pen(colour: str) -> pg.QtGui.QPen:
    pen = pg.mkPen(colour, width=1)
    pen.setCosmetic(True)
    return pen


class TrendStrip(QWidget):
    def __init__(self, trend: TrendBuffer, *, name: str, span_s: float = 3600.0,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, name)
        self.trend = trend
        self.span_s = span_s
        self.plot = named(pg.PlotWidget(background="k"), f"{name} plot")
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        item = self.plot.getPlotItem()
        item.disableAutoRange()
        item.setXRange(-span_s / 60, 0, padding=0)
        item.setYRange(0, 200, padding=0)
        item.setLabel("bottom", "minutes")
        self.spo2_curve = self.plot.plot(pen=cosmetic_pen(SPO2_COLOUR), connect="finite", name="SpO2")
        self.pr_curve = self.plot.plot(pen=cosmetic_pen(PR_COLOUR), connect="finite", name="PR")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self.setMinimumHeight(90)

    def set_trend(self, trend: TrendBuffer) -> None:
        self.trend = trend
        self.refresh(None)

    def refresh(self, now: float | None) -> None:
        t, spo2, pr = self.trend.arrays()
        if now is None:
            now = float(t[-1]) if len(t) else 0.0
        minutes = (t - now) / 60.0
        keep = minutes >= -self.span_s / 60
        x = np.ascontiguousarray(minutes[keep], dtype=np.float64)
        self.spo2_curve.setData(x, spo2[keep], connect="finite")
        self.pr_curve.setData(x, pr[keep], connect="finite")
