"""One trend chart for every care series (NEWS2, chronic readings, wearables).

Time on a date axis, one reused ``PlotDataItem`` per series, cosmetic 1-px pens, and an
optional horizontal target band. Ranges are set from the data once per load (no autorange
recomputed on every repaint, ARCHITECTURE §5); a year of readings is a single ``setData``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

PALETTE: tuple[str, ...] = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e")
BAND_BRUSH = (46, 160, 67, 40)  # translucent green: "inside target"


def to_epoch(times: Sequence[datetime]) -> np.ndarray:
    return np.fromiter((t.timestamp() for t in times), dtype=np.float64, count=len(times))


class TrendChart(QWidget):
    """A titled time chart; series are keyed by name so reloading replaces, never stacks."""

    def __init__(self, name: str, title: str, y_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName(title)
        self._plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
        self._plot.setObjectName(f"{name}_plot")
        self._plot.setAccessibleName(f"{title} plot")
        self._plot.setTitle(title)
        self._plot.setLabel("left", y_label)
        self._plot.showGrid(x=True, y=True, alpha=0.2)
        self._plot.setMenuEnabled(False)
        self._legend = self._plot.addLegend(offset=(10, 10))
        self._items: dict[str, pg.PlotDataItem] = {}
        self._bands: dict[str, pg.LinearRegionItem] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._plot)

    @property
    def plot(self) -> pg.PlotWidget:
        return self._plot

    def set_series(self, key: str, times: Sequence[datetime] | np.ndarray,
                   values: Sequence[float | None] | np.ndarray, *, label: str | None = None,
                   symbols: bool = True) -> None:
        """Replace one series. ``None`` values are gaps (not measured), never zeros."""
        xs = times if isinstance(times, np.ndarray) else to_epoch(times)
        ys = np.array([np.nan if v is None else v for v in values], dtype=np.float64) \
            if not isinstance(values, np.ndarray) else values.astype(np.float64)
        keep = ~np.isnan(ys)
        xs, ys = xs[keep], ys[keep]
        item = self._items.get(key)
        if item is None:
            color = PALETTE[len(self._items) % len(PALETTE)]
            pen = pg.mkPen(color, width=1, cosmetic=True)
            item = self._plot.plot(name=label or key, pen=pen)
            if symbols:
                item.setSymbol("o")
                item.setSymbolSize(5)
                item.setSymbolBrush(color)
                item.setSymbolPen(None)
            self._items[key] = item
        # Many points: drop symbols (they cost more than the line) and let pyqtgraph thin.
        item.setSymbol("o" if symbols and len(xs) <= 500 else None)
        item.setDownsampling(auto=True, method="peak")
        item.setClipToView(True)
        item.setData(xs, ys)
        self._fit()

    def series(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """The plotted data of one series (what the user sees)."""
        item = self._items.get(key)
        if item is None or item.xData is None:
            return np.array([]), np.array([])
        return np.asarray(item.xData), np.asarray(item.yData)

    def keys(self) -> list[str]:
        return list(self._items)

    def set_band(self, key: str, low: float | None, high: float | None) -> None:
        """A horizontal target band; one open end extends to the plot edge; both None removes."""
        band = self._bands.pop(key, None)
        if band is not None:
            self._plot.removeItem(band)
        if low is None and high is None:
            self._fit()
            return
        lo = low if low is not None else -1e9
        hi = high if high is not None else 1e9
        band = pg.LinearRegionItem(values=(lo, hi), orientation="horizontal", movable=False,
                                   brush=pg.mkBrush(*BAND_BRUSH), pen=pg.mkPen(None))
        band.setZValue(-10)
        self._plot.addItem(band)
        self._bands[key] = band
        self._fit()

    def band(self, key: str) -> tuple[float, float] | None:
        band = self._bands.get(key)
        if band is None:
            return None
        lo, hi = band.getRegion()
        return float(lo), float(hi)

    def clear_all(self) -> None:
        for item in self._items.values():
            item.setData([], [])
        self._fit()

    def _fit(self) -> None:
        """Fixed ranges from the data and the finite band edges, with a little margin."""
        xs, ys = [], []
        for item in self._items.values():
            if item.xData is not None and len(item.xData):
                xs.append(item.xData)
                ys.append(item.yData)
        for band in self._bands.values():
            ys.append(np.array([v for v in band.getRegion() if abs(v) < 1e8], dtype=np.float64))
        vi = self._plot.getViewBox()
        vi.disableAutoRange()
        if xs:
            x = np.concatenate(xs)
            x0, x1 = float(x.min()), float(x.max())
            pad = max((x1 - x0) * 0.03, 3600.0)
            vi.setXRange(x0 - pad, x1 + pad, padding=0)
        else:  # nothing yet: the last month, not 1970
            now = datetime.now().timestamp()
            vi.setXRange(now - 30 * 86400, now, padding=0)
        y = np.concatenate(ys) if ys else np.array([])
        if y.size:
            y0, y1 = float(np.nanmin(y)), float(np.nanmax(y))
            pad = max((y1 - y0) * 0.08, 1.0)
            vi.setYRange(y0 - pad, y1 + pad, padding=0)
