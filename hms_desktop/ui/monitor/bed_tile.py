"""One bed on the nurse station: numbers, mini pleth, NEWS2 and alarm state, flashing by priority.

Click or Enter/Space opens the bed view (keyboard users tab from tile to tile).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPalette
from PySide6.QtWidgets import QFrame, QGridLayout, QWidget

from hms_desktop.devices.simulated import DEMO_NOTICE, DEMO_STYLE
from hms_desktop.monitoring.bed_monitor import BedMonitor
from hms_desktop.ui.monitor.alarm_style import (
    COLOURS,
    NOT_SAVED_NOTICE,
    NOT_SAVED_STYLE,
    TEXT_COLOURS,
    tile_style,
)
from hms_desktop.ui.monitor.patient_names import shown_patient
from hms_desktop.ui.monitor.pleth_view import PlethView
from hms_desktop.ui.monitor.widgets import label, named


def fmt(value: float | None, digits: int = 0) -> str:
    """Device-invalid values show as dashes, never as 0."""
    if value is None:
        return "---"
    return f"{value:.{digits}f}"


class BedTile(QFrame):
    sig_bed_opened = Signal(str)
    """The user asked to open this bed's full view (click, Enter or Space)."""

    def __init__(self, monitor: BedMonitor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.monitor = monitor
        bed_id = monitor.bed.id
        named(self, f"bed tile {bed_id}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAutoFillBackground(True)
        self.bed_label = label(f"{bed_id} bed", monitor.bed.name, bold=True)
        self.patient_label = label(f"{bed_id} patient")
        self.demo_label = label(f"{bed_id} demo notice", DEMO_NOTICE)
        self.demo_label.setStyleSheet(DEMO_STYLE)
        self.demo_label.setVisible(False)
        self.not_saved_label = label(f"{bed_id} not saved notice", NOT_SAVED_NOTICE, bold=True)
        self.not_saved_label.setStyleSheet(NOT_SAVED_STYLE)
        self.not_saved_label.setWordWrap(True)
        self.not_saved_label.setVisible(False)
        self.spo2_label = label(f"{bed_id} SpO2", point_size=22, bold=True)
        self.pr_label = label(f"{bed_id} pulse rate", point_size=16, bold=True)
        self.news2_label = label(f"{bed_id} NEWS2")
        self.state_label = label(f"{bed_id} alarm state")
        self.pleth = PlethView(monitor.sweep, name=f"{bed_id} mini pleth", compact=True)
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.addWidget(self.bed_label, 0, 0)
        grid.addWidget(self.patient_label, 0, 1, 1, 2)
        self.news2_label.setWordWrap(True)
        grid.addWidget(self.spo2_label, 1, 0)
        grid.addWidget(self.pr_label, 1, 1)
        grid.addWidget(self.pleth, 2, 0, 1, 3)
        grid.addWidget(self.news2_label, 3, 0, 1, 3)
        grid.addWidget(self.state_label, 4, 0, 1, 3)
        grid.addWidget(self.demo_label, 5, 0, 1, 3)
        grid.addWidget(self.not_saved_label, 6, 0, 1, 3)
        self._style = ""
        self.patients_hidden = False  # the main window is locked: no patient name or ID
        self.update_numbers()

    def update_numbers(self) -> None:
        """Numbers, patient, NEWS2 and alarm text (a few times a second, not per frame)."""
        mon = self.monitor
        n = mon.numerics
        self.bed_label.setText(mon.bed.name)
        patient = shown_patient(mon, hidden=self.patients_hidden)
        self.patient_label.setText(patient)
        self.demo_label.setVisible(mon.simulated)
        self.not_saved_label.setVisible(bool(mon.not_saved))
        self.not_saved_label.setToolTip(mon.not_saved)
        self.spo2_label.setText(f"SpO2 {fmt(n.spo2)}")
        self.pr_label.setText(f"PR {fmt(n.pulse_rate)}")
        self.news2_label.setText(mon.news2.text if mon.news2 else "NEWS2 --")
        self.news2_label.setToolTip(mon.news2.detail if mon.news2 else "")
        alarms = mon.engine.alarms
        if alarms:
            text = alarms[0].text + (f" (+{len(alarms) - 1})" if len(alarms) > 1 else "")
        elif mon.session is None:
            text = "not monitoring"
        elif not mon.monitoring:
            text = "paused"
        else:
            text = mon.device_state
        self.state_label.setText(text)
        demo = f"{DEMO_NOTICE}, " if mon.simulated else ""
        demo += f"{NOT_SAVED_NOTICE}: {mon.not_saved}, " if mon.not_saved else ""
        self.setAccessibleDescription(f"{mon.bed.name}: {demo}{patient}, {self.spo2_label.text()}, "
                                      f"{self.pr_label.text()}, {self.news2_label.text()}, {text}")

    def refresh_frame(self, now: float) -> None:
        """Per frame: the pleth and the flash phase."""
        self.pleth.refresh()
        priority = self.monitor.engine.highest_priority()
        style = tile_style(priority, now)
        if style != self._style:  # repaint the background only when the phase flips
            self._style = style
            parent = self.parentWidget()
            palette = parent.palette() if parent is not None else QPalette()
            if priority is not None and style:
                palette.setColor(QPalette.ColorRole.Window, QColor(COLOURS[priority]))
                palette.setColor(QPalette.ColorRole.WindowText, QColor(TEXT_COLOURS[priority]))
            self.setPalette(palette)

    @property
    def flashing_style(self) -> str:
        return self._style

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self.sig_bed_opened.emit(self.monitor.bed.id)
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.sig_bed_opened.emit(self.monitor.bed.id)
            return
        super().keyPressEvent(event)
