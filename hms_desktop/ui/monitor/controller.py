"""The Qt face of the monitoring station: signals for the views, the frame and housekeeping timers.

The station itself (beds, alarms, audio decisions, recording) is
``hms_desktop.monitoring.station.MonitoringStation``, which has no Qt; this adapter turns its
listener calls into signals (queued to the views when the station calls from its own
threads) and runs the 60 Hz frame timer (views redraw from ring buffers, never per packet; a
bed redraws only when samples arrived, and readers send ~24 batches a second
(``devices/reader.py``), so a frame paints under half the beds and a sample waits at most
~17 ms for its frame instead of ~42 ms).
Alarm evaluation and tone decisions run on the station's evaluator thread, not here, so a
stalled GUI thread delays the drawing only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from hms_desktop.devices.sources import open_source
from hms_desktop.domain.accounts import Permission
from hms_desktop.domain.alarm_limits import AlarmKind, AlarmLimits, Priority
from hms_desktop.domain.alarms import Alarm, AlarmEngine
from hms_desktop.monitoring.audio_policy import AudioPolicy
from hms_desktop.monitoring.bed_monitor import BedMonitor
from hms_desktop.monitoring.clock import Clock
from hms_desktop.monitoring.sound import AlarmSound
from hms_desktop.monitoring.station import (
    STATION,
    ManualLookup,
    MonitoringStation,
    NameLookup,
    ReadingSource,
    Run,
    SourceFactory,
)
from hms_desktop.services.monitoring import MonitoringService
from hms_desktop.services.monitoring_recorder import MonitoringRecorder

__all__ = ["STATION", "StationController"]


#: ``countersign(what, action)``: a nurse or clinician signs in over the station for ``action``.
Countersign = Callable[[str, Callable[[], None]], None]


class StationController(QObject):
    sig_frame_ticked = Signal()
    """60 Hz: views redraw from the ring buffers (a bed only when samples arrived)."""
    sig_beds_changed = Signal()
    """Beds, sessions, patients or device states changed: tiles re-read their bed."""
    sig_alarms_changed = Signal()
    """An alarm started, escalated, was acknowledged, latched or ended."""
    sig_audio_pause_changed = Signal(int)
    """Seconds of audio pause left (0 = sounding normally); ticks every second while paused."""
    sig_error_reported = Signal(str)
    """A user-facing problem (a port that cannot be opened, a refused session)."""

    def __init__(self, service: MonitoringService, run: Run, *, sound: AlarmSound,
                 open_source: SourceFactory = open_source, manual_lookup: ManualLookup | None = None,
                 patient_name: NameLookup | None = None, clock: Clock | None = None, user: str | None = None,
                 fps: float = 60.0, wearables: Any = None, threaded: bool = True,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("station_controller")
        self.countersign: Countersign | None = None  # set by build_controller for a window
        self.core = MonitoringStation(service, run, sound=sound, open_source=open_source,
                                      manual_lookup=manual_lookup, patient_name=patient_name, clock=clock,
                                      user=user, wearables=wearables, listener=self, threaded=threaded)
        self.frames = 0
        self._frame_timer = QTimer(self)
        self._frame_timer.setInterval(max(1, int(round(1000 / fps))))
        # Precise: a coarse timer may fire up to 5 % late and is aligned with other timers;
        # each frame late is latency on every bed's curve.
        self._frame_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._frame_timer.timeout.connect(self._frame)

    # ---- the station's listener: its calls become signals --------------------------------
    def beds_changed(self) -> None:
        self.sig_beds_changed.emit()

    def alarms_changed(self) -> None:
        self.sig_alarms_changed.emit()

    def audio_pause_changed(self, seconds_left: int) -> None:
        self.sig_audio_pause_changed.emit(seconds_left)

    def error_reported(self, message: str) -> None:
        self.sig_error_reported.emit(message)

    # ---- what the views read ---------------------------------------------------------------
    @property
    def service(self) -> MonitoringService:
        return self.core.service

    @property
    def run(self) -> Run:
        return self.core.run

    @property
    def sound(self) -> AlarmSound:
        return self.core.sound

    @property
    def monitors(self) -> dict[str, BedMonitor]:
        return self.core.monitors

    @property
    def sources(self) -> dict[str, ReadingSource]:
        return self.core.sources

    @property
    def recorder(self) -> MonitoringRecorder:
        return self.core.recorder

    @property
    def audio(self) -> AudioPolicy:
        return self.core.audio

    @property
    def station_engine(self) -> AlarmEngine:
        return self.core.station_engine

    @property
    def patient_name(self) -> NameLookup:
        return self.core.patient_name

    @property
    def user(self) -> str:
        return self.core.user

    @property
    def running(self) -> bool:
        return self.core.running

    @property
    def open_source(self) -> SourceFactory:
        return self.core.open_source

    @open_source.setter
    def open_source(self, factory: SourceFactory) -> None:
        self.core.open_source = factory

    def clock(self) -> float:
        """The station's monotonic time (alarm timing)."""
        return self.core.now()

    # ---- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        """Load the beds, check the speaker, start the timers (once; later calls do nothing)."""
        if self.core.running:
            return
        self.core.start()
        self._frame_timer.start()

    def stop(self) -> None:
        """Stop every source (their threads end), write what is held, stop the timers."""
        self._frame_timer.stop()
        self.core.stop()

    def reload_beds(self) -> None:
        self.core.reload_beds()

    def ensure_bed(self, bed_id: str) -> None:
        self.core.ensure_bed(bed_id)

    def start_monitoring(self, bed_id: str, patient_id: str, port: str, protocol: str,
                         *, source: ReadingSource | None = None) -> None:
        def start() -> None:
            self.core.start_monitoring(bed_id, patient_id, port, protocol, source=source)
        self._control(f"start monitoring on {self._bed_name(bed_id)}", start)

    def set_paused(self, bed_id: str, paused: bool) -> None:
        self._control(f"{'pause' if paused else 'resume'} monitoring on {self._bed_name(bed_id)}",
                      lambda: self.core.set_paused(bed_id, paused))

    def end_monitoring(self, bed_id: str) -> None:
        self._control(f"end monitoring on {self._bed_name(bed_id)}", lambda: self.core.end_monitoring(bed_id))

    def set_limits(self, bed_id: str, limits: AlarmLimits) -> None:
        self._control(f"change the alarm limits of {self._bed_name(bed_id)}",
                      lambda: self.core.set_limits(bed_id, limits))

    def attach_source(self, bed_id: str, src: ReadingSource, port: str, protocol: str) -> None:
        self.core.attach_source(bed_id, src, port, protocol)

    def _control(self, what: str, action: Callable[[], None]) -> None:
        """Starting, pausing, ending and limits need a nurse or clinician (the service refuses
        the save anyway); checked first so the station never runs a bed it could not record.
        At a station, ``countersign`` asks a nurse or clinician to sign in for this one action
        (``ui/monitor/countersign.py``), which it then performs under their name."""
        try:
            self.service.access.require(Permission.CONTROL_MONITORING, what=what)
        except PermissionError as exc:
            if self.countersign is not None and self.service.access.user.is_station:
                self.countersign(what, action)
            else:
                self.sig_error_reported.emit(str(exc))
            return
        action()

    def _bed_name(self, bed_id: str) -> str:
        monitor = self.core.monitors.get(bed_id)
        return monitor.bed.name if monitor is not None else bed_id

    # ---- alarms ------------------------------------------------------------------------------
    def alarms(self) -> list[tuple[str, Alarm]]:
        return self.core.alarms()

    def acknowledge(self, bed_id: str, kind: AlarmKind, *, at_lock_screen: bool = False) -> None:
        """Acknowledged by the signed-in user (the service checks the permission and names
        who); a refusal is said in the monitor's message line, never raised into a view."""
        try:
            who = self.service.acknowledger(at_lock_screen=at_lock_screen)
        except PermissionError as exc:
            self.sig_error_reported.emit(str(exc))
            return
        if not self.service.access.user.system:  # the system actor keeps the station's own name
            self.core.user = who
        self.core.acknowledge(bed_id, kind)

    def highest_priority(self, *, unacknowledged_only: bool = False) -> Priority | None:
        return self.core.highest_priority(unacknowledged_only=unacknowledged_only)

    def pause_audio(self, seconds: float | None = None, *, at_lock_screen: bool = False) -> None:
        try:
            self.service.acknowledger(at_lock_screen=at_lock_screen, permission=Permission.PAUSE_ALARM_AUDIO)
        except PermissionError as exc:
            self.sig_error_reported.emit(str(exc))
            return
        self.core.pause_audio(seconds)

    def resume_audio(self) -> None:
        self.core.resume_audio()

    @property
    def audio_pause_overridden(self) -> bool:
        """A new alarm is sounding although audio is paused (the countdown says so)."""
        return self.core.audio_pause_overridden

    # ---- timers ------------------------------------------------------------------------------
    def _frame(self) -> None:
        for mon in list(self.core.monitors.values()):
            mon.drain_pleth()  # the sweep is written here only, on the thread that draws it
        self.frames += 1
        self.sig_frame_ticked.emit()

    def _housekeeping(self) -> None:
        """One evaluation step now (the station's own thread does this 4 times a second)."""
        self.core.tick()
