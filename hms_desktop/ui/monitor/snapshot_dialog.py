"""Shows the pleth saved around one alarm (30 s before, 30 s after), alarm onset marked."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from hms_desktop.domain.monitoring import PlethSnapshot
from hms_desktop.services.monitoring import AlarmRecord
from hms_desktop.ui.monitor.trend_strip import cosmetic_pen
from hms_desktop.ui.monitor.widgets import named


class SnapshotDialog(QDialog):
    def __init__(self, record: AlarmRecord, snapshot: PlethSnapshot | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "alarm pleth snapshot")
        self.setWindowTitle(f"Pleth around {record.kind} on {record.bed_id}")
        layout = QVBoxLayout(self)
        self.caption = QLabel()
        named(self.caption, "snapshot caption")
        layout.addWidget(self.caption)
        self.plot = pg.PlotWidget(background="k")
        named(self.plot, "snapshot plot")
        layout.addWidget(self.plot)
        if snapshot is None:
            self.caption.setText("No waveform was saved for this alarm (device without pleth, "
                                 "or the alarm ended before 30 s of waveform were recorded).")
            self.samples = 0
        else:
            x = np.arange(len(snapshot.samples), dtype=np.float64) / snapshot.rate_hz
            offset = (record.started_at - snapshot.at).total_seconds()
            self.plot.plot(x - offset, np.asarray(snapshot.samples, dtype=np.float64),
                           pen=cosmetic_pen("#4dd0e1"))
            self.plot.addItem(pg.InfiniteLine(0.0, pen=cosmetic_pen("#d32f2f")))
            self.plot.setLabel("bottom", "seconds from alarm onset")
            self.caption.setText(f"{len(snapshot.samples)} samples at {snapshot.rate_hz:.0f} Hz, "
                                 f"patient {snapshot.patient_id}")
            self.samples = len(snapshot.samples)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        named(buttons, "snapshot close")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
