"""One bed in full: sweeping pleth, large numerics with their limits, signal and device
state, 1-hour trend strip, live NEWS2, the bed's alarms, and session controls."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.devices.simulated import DEMO_NOTICE, DEMO_STYLE
from hms_desktop.domain.alarm_limits import AlarmKind
from hms_desktop.monitoring.bed_monitor import BedMonitor
from hms_desktop.ui.monitor.alarm_style import (
    COLOURS,
    NOT_SAVED_NOTICE,
    NOT_SAVED_STYLE,
    TEXT_COLOURS,
    flash_on,
)
from hms_desktop.ui.monitor.bed_tile import fmt
from hms_desktop.ui.monitor.controller import StationController
from hms_desktop.ui.monitor.patient_names import shown_patient
from hms_desktop.ui.monitor.pleth_view import PlethView
from hms_desktop.ui.monitor.trend_strip import TrendStrip
from hms_desktop.ui.monitor.widgets import button, label, named


class BedView(QWidget):
    sig_back_requested = Signal()
    """The user wants the station grid again (Back button or Escape)."""
    sig_limits_requested = Signal(str)
    """Edit the alarm limits of the patient on this bed."""
    sig_connect_requested = Signal(str)
    """Start monitoring on this bed (choose device and patient)."""

    def __init__(self, controller: StationController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "bed view")
        self.controller = controller
        self.monitor: BedMonitor | None = None
        self.patients_hidden = False  # the main window is locked: no patient name or ID
        self.title = label("bed view title", point_size=14, bold=True)
        self.title.setWordWrap(True)
        self.demo_banner = label("bed view demo notice", DEMO_NOTICE, point_size=14, bold=True)
        self.demo_banner.setStyleSheet(DEMO_STYLE)
        self.demo_banner.setVisible(False)
        self.not_saved_banner = label("bed view not saved notice", point_size=12, bold=True)
        self.not_saved_banner.setStyleSheet(NOT_SAVED_STYLE)
        self.not_saved_banner.setWordWrap(True)
        self.not_saved_banner.setVisible(False)
        self.banner = label("bed alarm banner", point_size=12, bold=True)
        self.banner.setWordWrap(True)
        self.banner.setAutoFillBackground(True)
        self.state_label = label("device state")
        self.state_label.setWordWrap(True)
        self.spo2 = label("SpO2 value", point_size=44, bold=True)
        self.spo2_limits = label("SpO2 limits")
        self.pr = label("pulse rate value", point_size=32, bold=True)
        self.pr_limits = label("pulse rate limits")
        self.pi = label("perfusion index value", point_size=16)
        self.news2 = label("live NEWS2", point_size=14, bold=True)
        self.news2_detail = label("live NEWS2 detail")
        self.news2_detail.setWordWrap(True)
        self.signal = named(QProgressBar(), "signal strength")
        self.signal.setRange(0, 15)
        self.signal.setFormat("signal %v/15")
        self.pleth: PlethView | None = None
        self.trend: TrendStrip | None = None
        self._trend_drawn_at = float("-inf")
        self.back = button("back to station", "Back to statio&n")
        self.connect_button = button("start monitoring on this bed", "Start monitorin&g on this bed…")
        self.pause = button("pause monitoring", "Pa&use")
        self.end = button("end monitoring", "&End monitoring")
        self.limits = button("alarm limits", "Alarm l&imits…")
        self.acknowledge = button("acknowledge bed alarms", "Ac&knowledge")
        self.back.clicked.connect(self.sig_back_requested)
        self.connect_button.clicked.connect(lambda: self._emit_bed(self.sig_connect_requested))
        self.limits.clicked.connect(lambda: self._emit_bed(self.sig_limits_requested))
        self.pause.clicked.connect(self._toggle_pause)
        self.end.clicked.connect(self._end)
        self.acknowledge.clicked.connect(self._acknowledge)
        self._graph_area = QVBoxLayout()
        numbers = QGridLayout()
        numbers.addWidget(label("SpO2 caption", "SpO2 %"), 0, 0)
        numbers.addWidget(self.spo2, 1, 0)
        numbers.addWidget(self.spo2_limits, 2, 0)
        numbers.addWidget(label("pulse rate caption", "PR /min"), 3, 0)
        numbers.addWidget(self.pr, 4, 0)
        numbers.addWidget(self.pr_limits, 5, 0)
        numbers.addWidget(self.pi, 6, 0)
        numbers.addWidget(self.signal, 7, 0)
        numbers.addWidget(self.news2, 8, 0)
        numbers.addWidget(self.news2_detail, 9, 0)
        middle = QHBoxLayout()
        middle.addLayout(self._graph_area, 3)
        middle.addLayout(numbers, 1)
        # Two rows of three: one row of six forced the window to ~750 px wide.
        buttons = QGridLayout()
        for i, b in enumerate((self.back, self.connect_button, self.acknowledge,
                               self.pause, self.end, self.limits)):
            buttons.addWidget(b, i // 3, i % 3)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.demo_banner)
        layout.addWidget(self.not_saved_banner)
        layout.addWidget(self.banner)
        layout.addWidget(self.state_label)
        layout.addLayout(middle, 1)
        layout.addLayout(buttons)
        controller.sig_frame_ticked.connect(self._frame)
        controller.sig_beds_changed.connect(self.update_numbers)
        controller.sig_alarms_changed.connect(self.update_numbers)

    def show_bed(self, bed_id: str) -> None:
        self.monitor = self.controller.monitors[bed_id]
        if self.pleth is None:
            self.pleth = PlethView(self.monitor.sweep, name="pleth waveform")
            self.trend = TrendStrip(self.monitor.trend, name="trend strip")
            self._graph_area.addWidget(self.pleth, 3)
            self._graph_area.addWidget(self.trend, 1)
        else:
            self.pleth.set_buffer(self.monitor.sweep)
            assert self.trend is not None
            self.trend.set_trend(self.monitor.trend)
        self.update_numbers()

    def update_numbers(self) -> None:
        mon = self.monitor
        if mon is None:
            return
        n, lim = mon.numerics, mon.engine.limits
        self.title.setText(f"{mon.bed.name} — {shown_patient(mon, hidden=self.patients_hidden)}")
        self.demo_banner.setVisible(mon.simulated)
        self.not_saved_banner.setText(f"{NOT_SAVED_NOTICE}: this session and its recording are not being "
                                      f"saved — {mon.not_saved}" if mon.not_saved else "")
        self.not_saved_banner.setVisible(bool(mon.not_saved))
        self.spo2.setText(fmt(n.spo2))
        self.pr.setText(fmt(n.pulse_rate))
        self.pi.setText(f"PI {fmt(n.perfusion_index, 1)} %")
        self.spo2_limits.setText(f"low {lim.spo2_low}")
        self.pr_limits.setText(f"{lim.pr_low}–{lim.pr_high}")
        self.signal.setValue(n.signal_strength or 0)
        flags = ", ".join(sorted(f.value.replace("_", " ") for f in n.flags))
        device = f"{mon.port} ({mon.protocol})" if mon.port else "no device"
        if mon.simulated:
            device = f"{DEMO_NOTICE}: {device}"
        self.state_label.setText(f"Device: {device} — {mon.device_state}" + (f" — {flags}" if flags else ""))
        if mon.news2 is None:
            self.news2.setText("NEWS2 --")
            self.news2_detail.setText("")
        else:
            self.news2.setText(mon.news2.text)
            self.news2_detail.setText(mon.news2.detail)
        alarms = mon.engine.alarms
        self.banner.setText("   ".join(a.text + (" (ack)" if a.acknowledged else "") for a in alarms))
        self.connect_button.setEnabled(mon.session is None)
        self.pause.setEnabled(mon.session is not None)
        self.end.setEnabled(mon.session is not None)
        self.limits.setEnabled(bool(mon.patient_id))
        self.pause.setText("Res&ume" if mon.session is not None and not mon.monitoring else "Pa&use")
        self.acknowledge.setEnabled(any(not a.acknowledged for a in alarms))

    def _frame(self) -> None:
        if self.monitor is None or not self.isVisible():
            return
        assert self.pleth is not None
        self.pleth.refresh()
        priority = self.monitor.engine.highest_priority()
        palette = self.palette()
        if priority is not None and flash_on(priority, self.controller.clock()):
            palette.setColor(self.banner.backgroundRole(), QColor(COLOURS[priority]))
            palette.setColor(self.banner.foregroundRole(), QColor(TEXT_COLOURS[priority]))
        self.banner.setPalette(palette)
        now = self.controller.clock()
        if self.trend is not None and now - self._trend_drawn_at >= 1.0:  # a point a second
            self._trend_drawn_at = now
            self.trend.refresh(now)

    def _emit_bed(self, signal: object) -> None:
        if self.monitor is not None:
            signal.emit(self.monitor.bed.id)  # type: ignore[attr-defined]

    def _toggle_pause(self) -> None:
        if self.monitor is not None and self.monitor.session is not None:
            self.controller.set_paused(self.monitor.bed.id, self.monitor.monitoring)

    def _end(self) -> None:
        if self.monitor is not None:
            self.controller.end_monitoring(self.monitor.bed.id)

    def _acknowledge(self) -> None:
        if self.monitor is None:
            return
        for alarm in self.monitor.engine.alarms:
            self.controller.acknowledge(self.monitor.bed.id, AlarmKind(alarm.kind))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Escape:
            self.sig_back_requested.emit()
            return
        super().keyPressEvent(event)
