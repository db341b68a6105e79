"""The monitoring station's brain, without Qt: beds, sources, alarms, sound decisions, recording.

Threads: readers deliver batches on their own threads (``set_thread_sink``) or, for
GUI-timer simulators, on the GUI thread; an evaluator thread runs ``tick`` 4 times a second
(onset delays, staleness, escalation, faults, audio decisions, the recording flush and live
NEWS2). One lock guards the state, so a GUI thread that stalls for seconds delays only the
drawing, never an alarm or its tone decision. Sources are stopped outside the lock (a
reader's last batch may be waiting for it).

Fault isolation: display and alarm evaluation come first and never depend on recording,
storage or sound; a failure in any of them becomes a technical alarm naming the part and the
bed ("Recording failed on Bed 3 — ..."), and the next second tries again.

Time: alarm timing uses ``clock.monotonic()``; records and screens get wall time from
``wall_of`` at the edge. The Qt adapter (``ui/monitor/controller.py``) turns listener calls
into signals.
"""

from __future__ import annotations

import getpass
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from hms_desktop.domain.alarm_limits import AlarmKind, AlarmLimits, Priority
from hms_desktop.domain.alarms import Alarm, AlarmEngine, AlarmTransition
from hms_desktop.domain.live_news2 import ManualObservation, live_news2
from hms_desktop.domain.monitoring import Bed, MonitoringSession, SessionStatus
from hms_desktop.domain.readings import Reading
from hms_desktop.monitoring.audio_policy import AudioPolicy
from hms_desktop.monitoring.bed_monitor import BedMonitor
from hms_desktop.monitoring.clock import Clock, SystemClock, wall_of
from hms_desktop.monitoring.sound import AlarmSound
from hms_desktop.services.monitoring import MonitoringService, session_not_saved_reason
from hms_desktop.services.monitoring_recorder import MonitoringRecorder, RecordingError, WriteJob

log = logging.getLogger(__name__)
Run = Callable[..., Any]
ManualLookup = Callable[[str], ManualObservation | None]
NameLookup = Callable[[str], str]
STATION = "STATION"
UNSAVED_SESSION = "UNSAVED-"  # id prefix of a session monitored without being saved
TICK_S = 0.25  # evaluator period: delays and tones are decided within a quarter second


class ReadingSource(Protocol):
    """A device reader or simulator (``devices/sources.py``): two signals, start and stop;
    optionally ``set_thread_sink`` to deliver on the reader's own thread."""

    sig_readings_received: Any
    sig_state_changed: Any

    def start(self) -> None: ...

    def stop(self) -> None: ...


SourceFactory = Callable[[str, str], ReadingSource]


class StationListener(Protocol):
    """What the station tells its views (the Qt adapter re-emits these as signals). Called
    from any thread, never with the station's lock held."""

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


@dataclass(frozen=True)
class _Sink:
    """The receivers a reader calls on its own thread (shape of ``devices.worker.ThreadSink``)."""

    on_batch: Callable[[tuple[Reading, ...]], None]
    on_state: Callable[[str], None]
    on_problem: Callable[[str], None]
    gui_batches: bool = False  # the frame timer drains the pleth: no queued signal per batch


def _no_source(port: str, protocol: str) -> ReadingSource:
    raise ValueError(f"no device factory to open {port} ({protocol})")


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


class MonitoringStation:
    def __init__(self, service: MonitoringService, run: Run, *, sound: AlarmSound,
                 open_source: SourceFactory = _no_source, manual_lookup: ManualLookup | None = None,
                 patient_name: NameLookup | None = None, clock: Clock | None = None,
                 user: str | None = None, wearables: Any = None,
                 listener: StationListener | None = None, threaded: bool = True) -> None:
        """``threaded`` False: nobody calls ``tick`` but the caller (tests on fake time)."""
        self.service = service
        self.run = run
        self.sound = sound
        self.open_source = open_source
        self.manual_lookup = manual_lookup or (lambda _pid: None)
        self.patient_name = patient_name or (lambda pid: pid)
        self.clock: Clock = clock or SystemClock()
        self.user = user or getpass.getuser()
        self.listener: StationListener = listener or NullListener()
        self.threaded = threaded
        self.monitors: dict[str, BedMonitor] = {}
        self.sources: dict[str, ReadingSource] = {}
        self.recorder = MonitoringRecorder(service, run, wearables, on_write_failed=self._write_failed)
        self.audio = AudioPolicy()
        self.station_engine = AlarmEngine(source=STATION, id_time=self.wall)  # sound faults live here
        self._lock = threading.RLock()
        self._depth = 0  # nesting of the lock by its holder
        self._pending: list[Callable[[], None]] = []  # listener calls waiting for the lock's release
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_flush: float | None = None
        self._paused_shown = 0
        self._override_shown = False
        self.running = False

    def now(self) -> float:
        return self.clock.monotonic()

    def wall(self, t: float) -> float:
        return wall_of(self.clock, t)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the station's lock; listener calls made meanwhile run after it is released
        (by the outermost holder), so no view code ever runs under the lock."""
        with self._lock:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                pending: list[Callable[[], None]] = []
                if self._depth == 0:
                    pending, self._pending = self._pending, []
        for notify in pending:
            notify()

    def _notify(self, call: Callable[[], None]) -> None:
        if self._depth > 0:
            self._pending.append(call)
        else:
            call()

    # ---- lifecycle ----------------------------------------------------------------------
    def start(self) -> None:
        """Load the beds, reopen live sessions' devices, check the speaker, start the
        evaluator thread (once; later calls do nothing)."""
        with self._locked():
            if self.running:
                return
            self.running = True
            self.reload_beds()
            if not self.sound.available:
                self._apply(STATION, self.station_engine.set_audio_available(self.now(), False))
            reopen = [b for b, m in self.monitors.items() if m.monitoring and b not in self.sources]
        for bed_id in reopen:
            self._reopen(bed_id)
        if self.threaded:
            self._stop.clear()
            self._thread = threading.Thread(target=self._evaluate_forever, name="monitoring-evaluator")
            self._thread.start()

    def stop(self) -> None:
        """Stop the evaluator and every source (their threads end), write what is held."""
        with self._locked():
            if not self.running:
                return
            self.running = False
            sources = list(self.sources)
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        for bed_id in sources:
            self._stop_source(bed_id)
        with self._locked():
            try:
                self.recorder.close(self.clock.wall())
            except RuntimeError:  # the writer already shut down (app quitting): say what is lost
                log.warning("monitoring stopped after the writer: the last second of vitals was not saved")
            except RecordingError as exc:
                log.warning("monitoring stopped: %s", exc)
            self._guard_sound(self.sound.stop)

    def _evaluate_forever(self) -> None:
        while not self._stop.wait(TICK_S):
            try:
                self.tick()
            except Exception:  # noqa: BLE001 - the evaluator must outlive any one bad tick
                log.exception("monitoring tick failed; the next one runs in %.2f s", TICK_S)

    def reload_beds(self) -> None:
        with self._locked():
            for bed in self.service.beds():
                if bed.id not in self.monitors:
                    self.monitors[bed.id] = BedMonitor(bed, wall_of=self.wall)
                    live = self.service.live_session(bed.id)
                    if live is not None:
                        self._adopt_session(live)
                else:
                    self.monitors[bed.id].bed = bed
            self._notify(self.listener.beds_changed)

    def ensure_bed(self, bed_id: str) -> None:
        """Kiosk start: a bed named on the command line exists afterwards (created if new)."""
        if bed_id not in self.monitors and bed_id not in {b.id for b in self.service.beds()}:
            self.service.add_beds([Bed(id=bed_id, name=bed_id, position=len(self.monitors))])
        self.reload_beds()

    # ---- sessions -----------------------------------------------------------------------
    def start_monitoring(self, bed_id: str, patient_id: str, port: str, protocol: str,
                         *, source: ReadingSource | None = None) -> None:
        """Start a session (saved on the writer), then open the device and attach it.

        A session that cannot be saved (a read-only folder, a full disk) is monitored all the
        same, without recording: a bed is never left unwatched because its paperwork failed.
        """
        mon = self.monitors.get(bed_id)
        if mon is None:
            self._notify(lambda: self.listener.error_reported(f"bed: no bed {bed_id!r}"))
            return
        if mon.session is not None:
            busy = f"bed: {mon.bed.name} is already monitoring {mon.patient_id}; end it first"
            self._notify(lambda: self.listener.error_reported(busy))
            return

        def started(session: MonitoringSession) -> None:
            with self._locked():
                self._adopt_session(session)
            self._open_and_attach(bed_id, port, protocol, source)

        def failed(exc: BaseException) -> bool:
            reason = session_not_saved_reason(exc)
            if not reason:  # a refusal (bed taken, bad field, no permission): say it, start nothing
                self._notify(lambda: self.listener.error_reported(str(exc)))
                return True
            if self._monitor_unsaved(bed_id, patient_id, port, protocol, reason):
                self._open_and_attach(bed_id, port, protocol, source)
            return True

        self.run(self.service.start_session, bed_id=bed_id, patient_id=patient_id, port=port,
                 protocol=protocol, on_done=started, on_error=failed,
                 what=f"monitoring session on {bed_id}")

    def _monitor_unsaved(self, bed_id: str, patient_id: str, port: str, protocol: str, reason: str) -> bool:
        """Adopt a session that exists only here (not saved, nothing recorded), with a
        technical alarm and a notice naming why; False if the bed got a session meanwhile."""
        with self._locked():
            mon = self.monitors[bed_id]
            if mon.session is not None:
                return False
            session = MonitoringSession(id=f"{UNSAVED_SESSION}{bed_id}", bed_id=bed_id, patient_id=patient_id,
                                        port=port, protocol=protocol,
                                        started_at=datetime.fromtimestamp(self.clock.wall(), UTC))
            mon.not_saved = reason
            self._adopt_session(session)
            self._fault(bed_id, AlarmKind.RECORDING_FAILED, f"session not saved, nothing is recorded: {reason}")
            message = (f"{mon.bed.name} is monitored but NOT SAVED (no session, no recording): {reason}")
        log.warning("%s", message)
        self._notify(lambda: self.listener.error_reported(message))
        return True

    def _open_and_attach(self, bed_id: str, port: str, protocol: str, source: ReadingSource | None) -> None:
        try:
            src = source or self.open_source(port, protocol)
        except Exception as exc:  # a port that cannot be opened must say so, not crash
            message = f"port {port}: {exc}"  # bound now: ``exc`` ends with the except block
            self._notify(lambda: self.listener.error_reported(message))
            with self._locked():  # a monitored bed without a device alarms, never looks quiet
                mon = self.monitors[bed_id]
                self._apply(bed_id, mon.set_device_state(self.now(), "disconnected"))
            return
        self.attach_source(bed_id, src, port, protocol)

    def set_paused(self, bed_id: str, paused: bool) -> None:
        with self._locked():
            mon = self.monitors[bed_id]
            if mon.session is None:
                return
            status = SessionStatus.PAUSED if paused else SessionStatus.ACTIVE
            now = self.now()
            if paused:
                self._apply(bed_id, mon.engine.set_device_state(now, "stopped"))
                self._record(bed_id, lambda: self.recorder.detach(bed_id, self.wall(now)))
            mon.session = mon.session.model_copy(update={"status": status})
            if not paused:
                if not mon.not_saved:
                    self.recorder.attach(mon.session)
                mon.engine.begin(now)
                self._apply(bed_id, mon.engine.set_device_state(now, mon.device_state))
            if not mon.not_saved:
                self.run(self.service.set_session_status, mon.session.id, status, what=f"pausing {bed_id}")
            self._notify(self.listener.beds_changed)

    def end_monitoring(self, bed_id: str) -> None:
        self._stop_source(bed_id)
        with self._locked():
            mon = self.monitors[bed_id]
            if mon.session is None:
                return
            now = self.now()
            self._apply(bed_id, mon.engine.set_device_state(now, "stopped"))
            self._record(bed_id, lambda: self.recorder.detach(bed_id, self.wall(now)))
            session_id = mon.session.id
            mon.session = None
            mon.patient_name = ""
            mon.port = mon.protocol = ""  # no device on the bed any more (nor a DEMO notice)
            mon.device_state = "idle"
            if mon.not_saved:  # it was never on disk: nothing to end there
                mon.not_saved = ""
            else:
                self.run(self.service.set_session_status, session_id, SessionStatus.ENDED,
                         what=f"ending monitoring on {bed_id}")
            self._notify(self.listener.beds_changed)

    def set_limits(self, bed_id: str, limits: AlarmLimits) -> None:
        """Save the patient's limits and apply them to the live engine at once."""
        with self._locked():
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
            message = f"{bed_id}: could not reopen {mon.port or 'its device'}: {exc}"
            self._notify(lambda: self.listener.error_reported(message))
            with self._locked():
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
            if not mon.not_saved:
                self.recorder.attach(session)
            mon.engine.begin(self.now())  # a session that never gets data alarms too
        self._notify(self.listener.beds_changed)

    def _name_of(self, patient_id: str) -> str:
        """A name that cannot be looked up shows the ID alone, never stops monitoring."""
        try:
            return self.patient_name(patient_id)
        except Exception:  # noqa: BLE001 - a label must not break a session start
            log.exception("no display name for %s", patient_id)
            return patient_id

    def attach_source(self, bed_id: str, src: ReadingSource, port: str, protocol: str) -> None:
        """Show a device on a bed (recorded and alarmed only while a session is active).

        A reader that can deliver on its own thread does so (alarms never wait for the GUI
        thread, and no batch signal goes to it); a GUI-timer simulator delivers through its
        signals. Either way the drawing thread moves the queued pleth into the sweep.
        """
        self._stop_source(bed_id)
        with self._locked():
            mon = self.monitors[bed_id]
            mon.port, mon.protocol = port, protocol
            self.sources[bed_id] = src
        set_sink = getattr(src, "set_thread_sink", None)
        if set_sink is not None:
            set_sink(_Sink(on_batch=lambda batch: self.on_readings(bed_id, batch, source=src),
                           on_state=lambda state: self.on_state(bed_id, state, source=src),
                           on_problem=lambda text: self.on_device_problem(bed_id, text, source=src)))
            # No batch signal to the drawing (GUI) thread: the frame timer moves the queued pleth
            # into the sweep just before it draws, so a signal per batch would only cost.
        else:
            src.sig_readings_received.connect(lambda batch: self.on_readings(bed_id, batch, source=src))
            src.sig_readings_received.connect(lambda _batch: mon.drain_pleth())
            src.sig_state_changed.connect(lambda state: self.on_state(bed_id, state, source=src))
        src.start()

    def _stop_source(self, bed_id: str) -> None:
        """Stop a bed's source, outside the lock: its thread may be waiting for it to deliver."""
        with self._locked():
            src = self.sources.pop(bed_id, None)
        if src is None:
            return
        set_sink = getattr(src, "set_thread_sink", None)
        if set_sink is not None:
            set_sink(None)
        else:
            src.sig_readings_received.disconnect()
            src.sig_state_changed.disconnect()
        src.stop()

    # ---- acquisition (any thread) ---------------------------------------------------------
    def on_readings(self, bed_id: str, batch: Any, *, source: ReadingSource | None = None) -> None:
        """Display and alarms first; recording after, and its failure never reaches them."""
        with self._locked():
            mon = self.monitors.get(bed_id)
            if mon is None or (source is not None and self.sources.get(bed_id) is not source):
                return  # a late batch from a source already replaced or stopped
            now = self.now()
            mon.last_batch_at = time.perf_counter()
            readings = tuple(batch)
            self._apply(bed_id, mon.ingest(now, readings))
            if mon.monitoring:
                self._record(bed_id, lambda: self.recorder.add_readings(bed_id, self.wall(now), readings))

    def on_state(self, bed_id: str, state: str, *, source: ReadingSource | None = None) -> None:
        with self._locked():
            mon = self.monitors.get(bed_id)
            if mon is None or (source is not None and self.sources.get(bed_id) is not source):
                return
            self._apply(bed_id, mon.set_device_state(self.now(), state))
            self._notify(self.listener.beds_changed)

    def on_device_problem(self, bed_id: str, text: str, *, source: ReadingSource | None = None) -> None:
        """The device's data path failed but reading goes on (a parser raised on a frame)."""
        with self._locked():
            mon = self.monitors.get(bed_id)
            if mon is None or not mon.monitoring or (source is not None and self.sources.get(bed_id) is not source):
                return
            self._fault(bed_id, AlarmKind.DEVICE_FAULT, text)

    # ---- alarms -------------------------------------------------------------------------
    def alarms(self) -> list[tuple[str, Alarm]]:
        """(bed id, alarm) on screen across the station, most urgent first, in wall time."""
        with self._locked():
            out = self._engine_alarms()
            return [(bed_id, self._wall_alarm(a)) for bed_id, a in out]

    def _engine_alarms(self) -> list[tuple[str, Alarm]]:
        out = [(STATION, a) for a in self.station_engine.alarms]
        for bed_id, mon in self.monitors.items():
            out += [(bed_id, a) for a in mon.engine.alarms]
        out.sort(key=lambda x: (-x[1].priority.rank, x[1].started_at))
        return out

    def _wall_alarm(self, a: Alarm) -> Alarm:
        def w(t: float | None) -> float | None:
            return None if t is None else self.wall(t)

        return replace(a, started_at=self.wall(a.started_at), ended_at=w(a.ended_at),
                       acknowledged_at=w(a.acknowledged_at), escalated_at=w(a.escalated_at))

    def acknowledge(self, bed_id: str, kind: AlarmKind) -> None:
        with self._locked():
            engine = self.station_engine if bed_id == STATION else self.monitors[bed_id].engine
            self._apply(bed_id, engine.acknowledge(self.now(), kind, self.user))

    def highest_priority(self, *, unacknowledged_only: bool = False) -> Priority | None:
        with self._locked():
            engines = [self.station_engine] + [m.engine for m in self.monitors.values()]
            found = [p for e in engines if (p := e.highest_priority(unacknowledged_only=unacknowledged_only))]
            return max(found, key=lambda p: p.rank) if found else None

    def pause_audio(self, seconds: float | None = None) -> None:
        """Audio pause for the alarms sounding now (at most 2 min); a new one still sounds."""
        with self._locked():
            self.audio.pause(self.now(), self._unacknowledged(), seconds)
            self._guard_sound(self.sound.stop)
            self._emit_pause(force=True)

    def resume_audio(self) -> None:
        with self._locked():
            self.audio.resume()
            self._emit_pause(force=True)
            self._sound_now()

    @property
    def audio_pause_overridden(self) -> bool:
        """A condition the pause does not cover is sounding during it (shown on screen)."""
        return self.audio.overridden

    def _unacknowledged(self) -> list[tuple[str, Priority]]:
        return [(a.alarm_id, a.priority) for _, a in self._engine_alarms() if not a.acknowledged]

    def _apply(self, bed_id: str, transitions: list[AlarmTransition]) -> None:
        if not transitions:
            return
        self._record(bed_id, lambda: self.recorder.add_alarm_transitions(
            bed_id, [replace(tr, at=self.wall(tr.at), alarm=self._wall_alarm(tr.alarm)) for tr in transitions]))
        self._sound_now()
        self._notify(self.listener.alarms_changed)

    def _sound_now(self) -> None:
        burst = self.audio.decide(self.now(), self._unacknowledged())
        if burst is not None and not self._guard_sound(lambda: self.sound.play(burst)):
            self.audio.failed()  # try again on the next tick

    # ---- faults -------------------------------------------------------------------------
    def _record(self, bed_id: str, action: Callable[[], None]) -> None:
        """Run one recording step; a failure becomes a technical alarm, never an exception.
        A bed whose session is not saved records nothing (its rows would name no session)."""
        mon = self.monitors.get(bed_id)
        if mon is not None and mon.not_saved:
            return
        try:
            action()
        except RecordingError as exc:
            self._fault(exc.bed_id, AlarmKind.RECORDING_FAILED, str(exc))
        except Exception as exc:  # noqa: BLE001 - recording must never stop display or alarms
            log.exception("recording failed on %s", bed_id)
            self._fault(bed_id, AlarmKind.RECORDING_FAILED, _reason(exc))

    def _guard_sound(self, action: Callable[[], None]) -> bool:
        try:
            action()
        except Exception as exc:  # noqa: BLE001 - a broken speaker must be seen, not crash the station
            log.exception("alarm sound failed")
            self._apply(STATION, self.station_engine.report_fault(
                self.now(), AlarmKind.AUDIO_UNAVAILABLE, f"— sound output failed: {_reason(exc)}"))
            return False
        return True

    def _fault(self, bed_id: str, kind: AlarmKind, reason: str) -> None:
        mon = self.monitors.get(bed_id)
        engine = mon.engine if mon is not None else self.station_engine
        where = f"on {mon.bed.name}" if mon is not None else f"on {bed_id}"
        self._apply(bed_id if mon is not None else STATION,
                    engine.report_fault(self.now(), kind, f"{where} — {reason}"))

    def _write_failed(self, exc: BaseException, job: WriteJob) -> None:
        """The writer could not save a flush (disk full, folder gone): keep it, alarm, retry."""
        with self._locked():
            self.recorder.requeue(job)
            beds = job.bed_ids or [b for b, m in self.monitors.items() if m.monitoring]
            for bed_id in beds:
                if bed_id in self.monitors:
                    self._fault(bed_id, AlarmKind.RECORDING_FAILED, f"saving failed: {_reason(exc)}")

    # ---- time ---------------------------------------------------------------------------
    def tick(self) -> None:
        """Housekeeping (every ``TICK_S``): delays, staleness, escalation, faults, audio; once
        a second the recording flush and live NEWS2."""
        with self._locked():
            now = self.now()
            for bed_id, mon in self.monitors.items():
                if mon.monitoring or mon.engine.alarms:
                    self._apply(bed_id, mon.engine.tick(now))
            self._apply(STATION, self.station_engine.tick(now))
            self._sound_now()
            self._emit_pause()
            if self._last_flush is None or now - self._last_flush >= 1.0:
                self._last_flush = now
                self._record(STATION, lambda: self.recorder.flush(self.wall(now)))
                self._update_news2(now)
                self._notify(self.listener.beds_changed)

    def _emit_pause(self, *, force: bool = False) -> None:
        left = int(round(self.audio.remaining(self.now()) + 0.499))
        if force or left != self._paused_shown or self.audio.overridden != self._override_shown:
            self._paused_shown, self._override_shown = left, self.audio.overridden
            self._notify(lambda: self.listener.audio_pause_changed(left))

    def _update_news2(self, now: float) -> None:
        at = datetime.fromtimestamp(self.wall(now), UTC)
        for mon in self.monitors.values():
            if not mon.patient_id:
                mon.news2 = None
                continue
            n = mon.numerics
            try:
                manual = self.manual_lookup(mon.patient_id)
            except Exception:  # noqa: BLE001 - a lookup must never stop the station's clock
                log.exception("no manual observation for %s", mon.patient_id)
                manual = None
            mon.news2 = live_news2(now=at, live_spo2=n.spo2, live_pulse=n.pulse_rate, manual=manual)
