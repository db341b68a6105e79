"""The monitoring station's brain, without Qt: beds, sources, alarms, sound decisions, recording.

Sources deliver reading batches (``on_readings``); ``tick`` (about 4 times a second) advances
onset delays, staleness, escalation, the audio policy and, once a second, the recording
flush and live NEWS2. Writes go through ``run`` (``ctx.run``: the background writer), never
inline. Alarm timing uses ``clock.monotonic()``; records and screens get wall time from
``wall_of`` at the edge. The Qt adapter (``ui/monitor/controller.py``) turns the listener
calls into signals and drives the frame timer.
"""

from __future__ import annotations

import getpass
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Protocol

from hms_desktop.domain.alarm_limits import AlarmKind, AlarmLimits, Priority
from hms_desktop.domain.alarms import Alarm, AlarmEngine, AlarmTransition
from hms_desktop.domain.live_news2 import ManualObservation, live_news2
from hms_desktop.domain.monitoring import Bed, MonitoringSession, SessionStatus
from hms_desktop.monitoring.audio_policy import AudioPolicy
from hms_desktop.monitoring.bed_monitor import BedMonitor
from hms_desktop.monitoring.clock import Clock, SystemClock, wall_of
from hms_desktop.monitoring.sound import AlarmSound
from hms_desktop.services.monitoring import MonitoringService
from hms_desktop.services.monitoring_recorder import MonitoringRecorder

log = logging.getLogger(__name__)
Run = Callable[..., Any]
ManualLookup = Callable[[str], ManualObservation | None]
NameLookup = Callable[[str], str]
STATION = "STATION"


class ReadingSource(Protocol):
    """A device reader or simulator (``devices/sources.py``): two signals, start and stop."""

    sig_readings_received: Any
    sig_state_changed: Any

    def start(self) -> None: ...

    def stop(self) -> None: ...


SourceFactory = Callable[[str, str], ReadingSource]


class StationListener(Protocol):
    """What the station tells its views (the Qt adapter re-emits these as signals)."""

    def beds_changed(self) -> None: ...

    def alarms_changed(self) -> None: ...

    def audio_pause_changed(self, seconds_left: int) -> None: ...

    def error_reported(self, message: str) -> None: ...


class NullListener:
    """A station nobody watches (tests of the core alone)."""

    def beds_changed(self) -> None:
        pass

    def alarms_changed(self) -> None:
        pass

    def audio_pause_changed(self, seconds_left: int) -> None:
        pass

    def error_reported(self, message: str) -> None:
        pass


def _no_source(port: str, protocol: str) -> ReadingSource:
    raise ValueError(f"no device factory to open {port} ({protocol})")


class MonitoringStation:
    def __init__(self, service: MonitoringService, run: Run, *, sound: AlarmSound,
                 open_source: SourceFactory = _no_source, manual_lookup: ManualLookup | None = None,
                 patient_name: NameLookup | None = None, clock: Clock | None = None,
                 user: str | None = None, wearables: Any = None,
                 listener: StationListener | None = None) -> None:
        self.service = service
        self.run = run
        self.sound = sound
        self.open_source = open_source
        self.manual_lookup = manual_lookup or (lambda _pid: None)
        self.patient_name = patient_name or (lambda pid: pid)
        self.clock: Clock = clock or SystemClock()
        self.user = user or getpass.getuser()
        self.listener: StationListener = listener or NullListener()
        self.monitors: dict[str, BedMonitor] = {}
        self.sources: dict[str, ReadingSource] = {}
        self.recorder = MonitoringRecorder(service, run, wearables)
        self.audio = AudioPolicy()
        self.station_engine = AlarmEngine(source=STATION, id_time=self.wall)  # audio-unavailable lives here
        self._last_flush: float | None = None
        self._paused_shown = 0
        self.running = False

    def now(self) -> float:
        return self.clock.monotonic()

    def wall(self, t: float) -> float:
        return wall_of(self.clock, t)

    # ---- lifecycle ----------------------------------------------------------------------
    def start(self) -> None:
        """Load the beds, reopen live sessions' devices, check the speaker (once)."""
        if self.running:
            return
        self.running = True
        self.reload_beds()
        for bed_id, mon in self.monitors.items():
            if mon.monitoring and bed_id not in self.sources:
                self._reopen(bed_id)
        if not self.sound.available:
            self._apply(STATION, self.station_engine.set_audio_available(self.now(), False))

    def stop(self) -> None:
        """Stop every source (their threads end), write what is held, silence the speaker."""
        if not self.running:
            return
        self.running = False
        for bed_id in list(self.sources):
            self._stop_source(bed_id)
        try:
            self.recorder.close(self.clock.wall())
        except RuntimeError:  # the writer already shut down (app quitting): say what is lost
            log.warning("monitoring stopped after the writer: the last second of vitals was not saved")
        self.sound.stop()

    def reload_beds(self) -> None:
        for bed in self.service.beds():
            if bed.id not in self.monitors:
                self.monitors[bed.id] = BedMonitor(bed, wall_of=self.wall)
                live = self.service.live_session(bed.id)
                if live is not None:
                    self._adopt_session(live)
            else:
                self.monitors[bed.id].bed = bed
        self.listener.beds_changed()

    def ensure_bed(self, bed_id: str) -> None:
        """Kiosk start: a bed named on the command line exists afterwards (created if new)."""
        if bed_id not in self.monitors and bed_id not in {b.id for b in self.service.beds()}:
            self.service.add_beds([Bed(id=bed_id, name=bed_id, position=len(self.monitors))])
        self.reload_beds()

    # ---- sessions -----------------------------------------------------------------------
    def start_monitoring(self, bed_id: str, patient_id: str, port: str, protocol: str,
                         *, source: ReadingSource | None = None) -> None:
        """Start a session (saved on the writer), then open the device and attach it."""
        if bed_id not in self.monitors:
            self.listener.error_reported(f"bed: no bed {bed_id!r}")
            return

        def started(session: MonitoringSession) -> None:
            self._adopt_session(session)
            try:
                src = source or self.open_source(port, protocol)
            except Exception as exc:  # a port that cannot be opened must say so, not crash
                self.listener.error_reported(f"port {port}: {exc}")
                return
            self.attach_source(bed_id, src, port, protocol)

        def failed(exc: BaseException) -> bool:
            self.listener.error_reported(str(exc))
            return True

        self.run(self.service.start_session, bed_id=bed_id, patient_id=patient_id, port=port,
                 protocol=protocol, on_done=started, on_error=failed,
                 what=f"monitoring session on {bed_id}")

    def set_paused(self, bed_id: str, paused: bool) -> None:
        mon = self.monitors[bed_id]
        if mon.session is None:
            return
        status = SessionStatus.PAUSED if paused else SessionStatus.ACTIVE
        now = self.now()
        if paused:
            self._apply(bed_id, mon.engine.set_device_state(now, "stopped"))
            self.recorder.detach(bed_id, self.wall(now))
        mon.session = mon.session.model_copy(update={"status": status})
        if not paused:
            self.recorder.attach(mon.session)
            self._apply(bed_id, mon.engine.set_device_state(now, mon.device_state))
        self.run(self.service.set_session_status, mon.session.id, status, what=f"pausing {bed_id}")
        self.listener.beds_changed()

    def end_monitoring(self, bed_id: str) -> None:
        mon = self.monitors[bed_id]
        self._stop_source(bed_id)
        if mon.session is None:
            return
        now = self.now()
        self._apply(bed_id, mon.engine.set_device_state(now, "stopped"))
        self.recorder.detach(bed_id, self.wall(now))
        session_id = mon.session.id
        mon.session = None
        mon.patient_name = ""
        mon.port = mon.protocol = ""  # no device on the bed any more (nor a DEMO notice)
        mon.device_state = "idle"
        self.run(self.service.set_session_status, session_id, SessionStatus.ENDED,
                 what=f"ending monitoring on {bed_id}")
        self.listener.beds_changed()

    def set_limits(self, bed_id: str, limits: AlarmLimits) -> None:
        """Save the patient's limits and apply them to the live engine at once."""
        mon = self.monitors[bed_id]
        mon.set_limits(limits)
        self.run(self.service.set_limits, mon.patient_id, limits, what=f"alarm limits of {mon.patient_id}")

    def _reopen(self, bed_id: str) -> None:
        """A session left active by the last run: reopen its device, or alarm that it is gone.

        A patient marked as monitored with nothing connected must never look quiet.
        """
        mon = self.monitors[bed_id]
        try:
            src = self.open_source(mon.port, mon.protocol)
        except Exception as exc:  # noqa: BLE001 - any failure to open is reported the same way
            self.listener.error_reported(f"{bed_id}: could not reopen {mon.port or 'its device'}: {exc}")
            self._apply(bed_id, mon.set_device_state(self.now(), "disconnected"))
            return
        self.attach_source(bed_id, src, mon.port, mon.protocol)

    def _adopt_session(self, session: MonitoringSession) -> None:
        mon = self.monitors[session.bed_id]
        mon.session = session
        mon.patient_name = self._name_of(session.patient_id)
        mon.port, mon.protocol = session.port, session.protocol
        mon.set_limits(self.service.limits_for(session.patient_id))
        if session.status is SessionStatus.ACTIVE:
            self.recorder.attach(session)
        self.listener.beds_changed()

    def _name_of(self, patient_id: str) -> str:
        """A name that cannot be looked up shows the ID alone, never stops monitoring."""
        try:
            return self.patient_name(patient_id)
        except Exception:  # noqa: BLE001 - a label must not break a session start
            log.exception("no display name for %s", patient_id)
            return patient_id

    def attach_source(self, bed_id: str, src: ReadingSource, port: str, protocol: str) -> None:
        """Show a device on a bed (recorded and alarmed only while a session is active)."""
        self._stop_source(bed_id)
        mon = self.monitors[bed_id]
        mon.port, mon.protocol = port, protocol
        self.sources[bed_id] = src
        src.sig_readings_received.connect(lambda batch, b=bed_id: self.on_readings(b, batch))
        src.sig_state_changed.connect(lambda state, b=bed_id: self.on_state(b, state))
        src.start()

    def _stop_source(self, bed_id: str) -> None:
        src = self.sources.pop(bed_id, None)
        if src is not None:
            src.sig_readings_received.disconnect()
            src.sig_state_changed.disconnect()
            src.stop()

    # ---- acquisition --------------------------------------------------------------------
    def on_readings(self, bed_id: str, batch: Any) -> None:
        mon = self.monitors.get(bed_id)
        if mon is None:
            return
        now = self.now()
        mon.last_batch_at = time.perf_counter()
        readings = tuple(batch)
        if mon.monitoring:
            self.recorder.add_readings(bed_id, self.wall(now), readings)
        self._apply(bed_id, mon.ingest(now, readings))

    def on_state(self, bed_id: str, state: str) -> None:
        mon = self.monitors.get(bed_id)
        if mon is None:
            return
        self._apply(bed_id, mon.set_device_state(self.now(), state))
        self.listener.beds_changed()

    # ---- alarms -------------------------------------------------------------------------
    def alarms(self) -> list[tuple[str, Alarm]]:
        """(bed id, alarm) on screen across the station, most urgent first, in wall time."""
        out = [(STATION, a) for a in self.station_engine.alarms]
        for bed_id, mon in self.monitors.items():
            out += [(bed_id, a) for a in mon.engine.alarms]
        out.sort(key=lambda x: (-x[1].priority.rank, x[1].started_at))
        return [(bed_id, self._wall_alarm(a)) for bed_id, a in out]

    def _wall_alarm(self, a: Alarm) -> Alarm:
        def w(t: float | None) -> float | None:
            return None if t is None else self.wall(t)

        return replace(a, started_at=self.wall(a.started_at), ended_at=w(a.ended_at),
                       acknowledged_at=w(a.acknowledged_at), escalated_at=w(a.escalated_at))

    def acknowledge(self, bed_id: str, kind: AlarmKind) -> None:
        engine = self.station_engine if bed_id == STATION else self.monitors[bed_id].engine
        self._apply(bed_id, engine.acknowledge(self.now(), kind, self.user))

    def highest_priority(self, *, unacknowledged_only: bool = False) -> Priority | None:
        engines = [self.station_engine] + [m.engine for m in self.monitors.values()]
        found = [p for e in engines if (p := e.highest_priority(unacknowledged_only=unacknowledged_only))]
        return max(found, key=lambda p: p.rank) if found else None

    def pause_audio(self, seconds: float | None = None) -> None:
        """Global audio pause; visual alarms stay on, a countdown is shown."""
        self.audio.pause(self.now(), seconds)
        self.sound.stop()
        self._emit_pause()

    def resume_audio(self) -> None:
        self.audio.resume()
        self._emit_pause()

    def _apply(self, bed_id: str, transitions: list[AlarmTransition]) -> None:
        if not transitions:
            return
        self.recorder.add_alarm_transitions(
            bed_id, [replace(tr, at=self.wall(tr.at), alarm=self._wall_alarm(tr.alarm)) for tr in transitions])
        self._sound_now()
        self.listener.alarms_changed()

    def _sound_now(self) -> None:
        burst = self.audio.decide(self.now(), self.highest_priority(unacknowledged_only=True))
        if burst is not None:
            self.sound.play(burst)

    def _emit_pause(self) -> None:
        left = int(round(self.audio.remaining(self.now()) + 0.499))
        if left != self._paused_shown:
            self._paused_shown = left
            self.listener.audio_pause_changed(left)

    # ---- time ---------------------------------------------------------------------------
    def tick(self) -> None:
        """Housekeeping (~4 Hz): delays, staleness, escalation, audio; once a second the
        recording flush and live NEWS2."""
        now = self.now()
        for bed_id, mon in self.monitors.items():
            if mon.monitoring:
                self._apply(bed_id, mon.engine.tick(now))
        self._sound_now()
        self._emit_pause()
        if self._last_flush is None or now - self._last_flush >= 1.0:
            self._last_flush = now
            self.recorder.flush(self.wall(now))
            self._update_news2(now)
            self.listener.beds_changed()

    def _update_news2(self, now: float) -> None:
        at = datetime.fromtimestamp(self.wall(now), UTC)
        for mon in self.monitors.values():
            if not mon.patient_id:
                mon.news2 = None
                continue
            n = mon.numerics
            mon.news2 = live_news2(now=at, live_spo2=n.spo2, live_pulse=n.pulse_rate,
                                   manual=self.manual_lookup(mon.patient_id))
