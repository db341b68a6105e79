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

Parts: ``station_contracts.py`` (sources, listener, sink, lookups), ``station_core.py`` (state,
lock, alarms, audio, faults), ``station_sessions.py`` (sessions, unsaved sessions, sources and
what they deliver); this module adds the lifecycle and the evaluator. Import from here.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from hms_desktop.domain.live_news2 import live_news2
from hms_desktop.domain.monitoring import Bed
from hms_desktop.monitoring.bed_monitor import BedMonitor
from hms_desktop.monitoring.station_contracts import (
    STATION,
    UNSAVED_SESSION,
    ManualLookup,
    NameLookup,
    NullListener,
    ReadingSource,
    Run,
    SourceFactory,
    StationListener,
)
from hms_desktop.monitoring.station_sessions import StationSessions
from hms_desktop.services.monitoring_recorder import RecordingError

__all__ = ["STATION", "TICK_S", "UNSAVED_SESSION", "ManualLookup", "MonitoringStation", "NameLookup",
           "NullListener", "ReadingSource", "Run", "SourceFactory", "StationListener"]

log = logging.getLogger(__name__)
TICK_S = 0.25  # evaluator period: delays and tones are decided within a quarter second


class MonitoringStation(StationSessions):
    """The station: lifecycle, the evaluator thread and its tick (alarms, audio, flush, NEWS2)."""

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
