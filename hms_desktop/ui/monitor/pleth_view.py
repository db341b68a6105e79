"""The sweeping pleth trace: one reused PlotDataItem fed from a SweepBuffer (ARCHITECTURE §5).

Cosmetic 1-px pen, no antialiasing, fixed ranges (no autorange), float64 x that never
changes, NaN gaps drawn as breaks (the erase bar). ``refresh`` is cheap when nothing
arrived since the last frame.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsView, QSizePolicy, QVBoxLayout, QWidget

from hms_desktop.ui.monitor.ring_buffer import SweepBuffer
from hms_desktop.ui.monitor.widgets import named

TRACE_COLOUR = "#4dd0e1"


class PlethView(QWidget):
    def __init__(self, buffer: SweepBuffer, *, name: str, compact: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, name)
        self.buffer = buffer
        self.plot = named(pg.PlotWidget(background="k"), f"{name} plot")
        self.plot.setAntialiasing(False)
        # Live traces repaint 30x a second: skip per-item painter save/restore and AA margins.
        self.plot.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState, True)
        self.plot.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing, True)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        item = self.plot.getPlotItem()
        item.hideAxis("left")
        item.hideAxis("bottom")
        item.disableAutoRange()
        item.setXRange(0.0, float(buffer.x[-1]), padding=0)
        item.setYRange(-0.05, 1.05, padding=0)
        pen = pg.mkPen(TRACE_COLOUR, width=1)
        pen.setCosmetic(True)
        # A bare PlotCurveItem: PlotDataItem's extra layers (downsampling, log modes, symbols)
        # cost ~0.3 ms per setData and nothing here needs them.
        self.curve = pg.PlotCurveItem(buffer.x, buffer.y, pen=pen, connect="finite", antialias=False)
        self.plot.addItem(self.curve)
        self._drawn_total = -1
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(40 if compact else 120)

    def set_buffer(self, buffer: SweepBuffer) -> None:
        self.buffer = buffer
        self.plot.getPlotItem().setXRange(0.0, float(buffer.x[-1]), padding=0)
        self._drawn_total = -1
        self.refresh()

    def refresh(self) -> bool:
        """Redraw if samples arrived since the last frame; returns whether it drew."""
        if self.buffer.total == self._drawn_total:
            return False
        self._drawn_total = self.buffer.total
        self.curve.setData(self.buffer.x, self.buffer.y, connect="finite")
        return True
