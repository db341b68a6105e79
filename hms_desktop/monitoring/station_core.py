"""The station's shared state and its alarm, sound and fault handling (no Qt, no threads of its own).

One lock guards the state; listener calls made under it run after its release, so no view
code ever runs under the lock. Display and alarm evaluation never depend on recording or
sound: a failure in either becomes a technical alarm naming the part and the bed, and the
next second tries again. Sessions and sources: ``station_sessions.py``; the evaluator
thread and lifecycle: ``station.py``.
"""

from __future__ import annotations

import getpass
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from hms_desktop.domain.alarm_limits import AlarmKind, Priority
from hms_desktop.domain.alarms import Alarm, AlarmEngine, AlarmTransition
from hms_desktop.monitoring.audio_policy import AudioPolicy, Sounding
from hms_desktop.monitoring.bed_monitor import BedMonitor
from hms_desktop.monitoring.clock import Clock, SystemClock, wall_of
from hms_desktop.monitoring.sound import AlarmSound
from hms_desktop.monitoring.station_contracts import (
    STATION,
    ManualLookup,
    NameLookup,
    NullListener,
    ReadingSource,
    Run,
    SourceFactory,
    StationListener,
    no_source,
)
from hms_desktop.services.monitoring import MonitoringService
from hms_desktop.services.monitoring_recorder import MonitoringRecorder, RecordingError, WriteJob

log = logging.getLogger("hms_desktop.monitoring.station")  # one logger name for the whole station


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


class StationCore:
    """Beds, sources, engines and recorder under one lock; alarms, audio and faults."""

    def __init__(self, service: MonitoringService, run: Run, *, sound: AlarmSound,
                 open_source: SourceFactory = no_source, manual_lookup: ManualLookup | None = None,
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
        self._remote_sounding: list[Sounding] = []  # other workstations' alarms sounded here
        self.station_engine = AlarmEngine(source=STATION, id_time=self.wall)  # sound faults live here
        self._lock = threading.RLock()
        self._depth = 0  # nesting of the lock by its holder
        self._pending: list[Callable[[], None]] = []  # listener calls waiting for the lock's release
        # the evaluator thread and its flush clock (started and run by ``station.py``)
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

    def acknowledge_seen(self, bed_id: str, kind: AlarmKind, alarm_id: str, priority: Priority,
                         by: str) -> str:
        """An acknowledgement sent from another workstation (the nurse station), applied
        exactly as a local one but only to the alarm its sender saw, recorded under ``by``.
        Returns "" when applied, else why not (the alarm changed or ended, the bed is not here)."""
        with self._locked():
            mon = self.monitors.get(bed_id)
            if mon is None or not (mon.monitoring or mon.engine.alarms):
                return f"{bed_id} is not monitored on this workstation"
            transitions, refused = mon.engine.acknowledge_seen(self.now(), kind, alarm_id, priority, by)
            self._apply(bed_id, transitions)
            return refused

    def set_remote_alarms(self, sounding: Sequence[Sounding]) -> None:
        """Alarms of beds monitored on other workstations that this station sounds with its
        own (the nurse station, ``ui/monitor/remote_beds.py``): one audio decision, one
        speaker and one audio pause for local and remote alarms alike."""
        with self._locked():
            self._remote_sounding = list(sounding)
            self._sound_now()

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

    def _unacknowledged(self) -> list[Sounding]:
        local = [(a.alarm_id, a.priority) for _, a in self._engine_alarms() if not a.acknowledged]
        return local + self._remote_sounding

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


    def _emit_pause(self, *, force: bool = False) -> None:
        left = int(round(self.audio.remaining(self.now()) + 0.499))
        if force or left != self._paused_shown or self.audio.overridden != self._override_shown:
            self._paused_shown, self._override_shown = left, self.audio.overridden
            self._notify(lambda: self.listener.audio_pause_changed(left))

