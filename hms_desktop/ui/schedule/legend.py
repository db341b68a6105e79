"""Status colour legend: the calendar colours blocks by status, so say which is which."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from hms_desktop.ui.schedule.items import STATUS_LABELS, status_colour, status_fill
from hms_desktop.ui.schedule.naming import named


class StatusLegend(QWidget):
    """A swatch and the status name for every status, in the order a visit goes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "schedule_legend", "Status colours")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.labels: dict[str, QLabel] = {}
        for status, label in STATUS_LABELS.items():
            swatch = named(QLabel(), f"schedule_legend_swatch_{status.value}", f"{label} colour")
            swatch.setFixedSize(14, 14)
            colour = status_colour(status)  # drawn as the blocks are: light fill, strong edge
            swatch.setStyleSheet(f"background: {status_fill(status).name()}; "
                                 f"border: 2px solid {colour.name()};")
            text = named(QLabel(label), f"schedule_legend_{status.value}", f"Legend {label}")
            row.addWidget(swatch)
            row.addWidget(text)
            row.addSpacing(8)
            self.labels[label] = swatch
