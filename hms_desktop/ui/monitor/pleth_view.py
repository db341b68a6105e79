"""The sweeping pleth trace fed from a SweepBuffer (ARCHITECTURE §5).

Per frame this is the whole cost of a bed on screen, 16 beds each redrawn up to 30 times a
second (when a batch arrived; the frame timer runs at 60 Hz), so:
a bare ViewBox in a GraphicsView (no PlotItem: no hidden axes and layout to lay out on
every paint), fixed ranges, cosmetic 1-px pen, no antialiasing, and the trace drawn as two
``PlotCurveItem``s over numpy *views* of the buffer (before the write position, after the
erase bar). Those parts never hold NaN, so ``setData`` needs no finite mask and no NaN-gap
arrays, and each curve paints as one polyline with a constant bounding rectangle (``SweepCurve``),
not pyqtgraph's path and data-derived bounds. The view paints a solid background (no cached
background pixmap to blit). ``refresh`` does nothing when no sample arrived since the last frame.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPolygonF
from PySide6.QtWidgets import QGraphicsView, QSizePolicy, QVBoxLayout, QWidget

from hms_desktop.monitoring.ring_buffer import FloatArray, SweepBuffer
from hms_desktop.ui.monitor.widgets import named

TRACE_COLOUR = "#4dd0e1"
Y_RANGE = (-0.05, 1.05)


class SweepCurve(pg.PlotCurveItem):  # type: ignore[misc]  # pyqtgraph is untyped
    """A curve whose data bounds are the fixed plot range: the view never autoranges, so
    pyqtgraph need not scan the data for its min and max on every frame.

    It is painted about 500 times a second across 16 beds, so its per-paint Python is kept
    to a minimum (docs/benchmarks.md, monitor CPU): its bounding rectangle is the whole
    sweep (``set_extent``), constant, instead of being recomputed from the data and the pixel
    size after every ``setData``; and it draws its samples as one polyline (cosmetic 1-px
    pen, no antialiasing), built once per ``setData``, instead of a QPainterPath.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._polyline: QPolygonF | None = None
        self._rect = QRectF()

    def set_extent(self, x_end: float) -> None:
        """The sweep spans x 0..``x_end``: every sample lies in this rectangle."""
        self.prepareGeometryChange()
        self._rect = QRectF(0.0, Y_RANGE[0], x_end, Y_RANGE[1] - Y_RANGE[0])

    def dataBounds(self, ax: int, frac: float = 1.0,  # noqa: N802 - pyqtgraph override
                   orthoRange: object = None) -> tuple[float | None, float | None]:  # noqa: N803
        if self.xData is None or len(self.xData) == 0:
            return None, None
        if ax == 0:
            return float(self.xData[0]), float(self.xData[-1])
        return Y_RANGE

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return self._rect

    def updateData(self, *args: object, **kwargs: object) -> None:  # noqa: N802 - pyqtgraph override
        self._polyline = None
        super().updateData(*args, **kwargs)

    def paint(self, painter: QPainter, option: object, widget: object = None) -> None:
        x, y = self.xData, self.yData
        if x is None or len(x) < 2:
            return
        if self._polyline is None:
            self._polyline = pg.functions.arrayToQPolygonF(x, y)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(self.opts["pen"])
        painter.drawPolyline(self._polyline)


class PlethView(QWidget):
    def __init__(self, buffer: SweepBuffer, *, name: str, compact: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, name)
        self.buffer = buffer
        self.plot = named(pg.GraphicsView(background="k"), f"{name} plot")
        self.plot.setAntialiasing(False)
        # Live traces repaint 30x a second: skip per-item painter save/restore and AA margins.
        self.plot.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState, True)
        self.plot.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing, True)
        # The trace spans the whole width, so one full repaint beats region bookkeeping, and the
        # black viewport covers itself: Qt need not repaint the tile underneath it each frame.
        self.plot.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        # A black background is one solid fill: cheaper than blitting a cached background
        # pixmap (pyqtgraph's default) on every one of ~500 paints a second.
        self.plot.setCacheMode(QGraphicsView.CacheModeFlag.CacheNone)
        self.plot.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.view_box = pg.ViewBox(enableMouse=False, enableMenu=False, defaultPadding=0)
        self.view_box.setMouseEnabled(False, False)
        self.view_box.disableAutoRange()
        self.plot.setCentralItem(self.view_box)
        self.view_box.setRange(xRange=(0.0, float(buffer.x[-1])), yRange=Y_RANGE, padding=0)
        pen = pg.mkPen(TRACE_COLOUR, width=1)
        pen.setCosmetic(True)
        self.curves = (SweepCurve(pen=pen, antialias=False), SweepCurve(pen=pen, antialias=False))
        for curve in self.curves:
            curve.set_extent(float(buffer.x[-1]))
            self.view_box.addItem(curve)
        self._drawn_total = -1
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(40 if compact else 120)
        self.refresh()

    def set_buffer(self, buffer: SweepBuffer) -> None:
        self.buffer = buffer
        for curve in self.curves:
            curve.set_extent(float(buffer.x[-1]))
        self.view_box.setRange(xRange=(0.0, float(buffer.x[-1])), yRange=Y_RANGE, padding=0)
        self._drawn_total = -1
        self.refresh()

    def refresh(self) -> bool:
        """Redraw if samples arrived since the last frame; returns whether it drew."""
        buf = self.buffer
        if buf.total == self._drawn_total:
            return False
        self._drawn_total = buf.total
        for curve, part in zip(self.curves, buf.segments(), strict=True):
            curve.setData(buf.x[part], buf.y[part], connect="all", skipFiniteCheck=True)
        return True

    def trace(self) -> tuple[FloatArray, FloatArray]:
        """What is drawn, in index order with NaN where the trace breaks (tests, screen readers)."""
        y = np.full(self.buffer.size, np.nan)
        for curve in self.curves:
            xs, ys = curve.getData()
            if xs is not None and len(xs):
                start = int(round(xs[0] * self.buffer.rate_hz))
                y[start:start + len(ys)] = ys
        return self.buffer.x, y
