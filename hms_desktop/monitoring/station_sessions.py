"""Sessions and device sources of the monitoring station: start (saved, or monitored unsaved
when the folder cannot take it), pause, end, limits; attaching and stopping readers, and the
batches, states and problems they deliver on any thread."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

from hms_desktop.domain.alarm_limits import AlarmKind, AlarmLimits
from hms_desktop.domain.monitoring import MonitoringSession, SessionStatus
from hms_desktop.monitoring.station_contracts import UNSAVED_SESSION, ReadingSource, StationSink
from hms_desktop.monitoring.station_core import StationCore
from hms_desktop.services.monitoring import session_not_saved_reason

log = logging.getLogger("hms_desktop.monitoring.station")  # one logger name for the whole station


class StationSessions(StationCore):
    """What a nurse does to a bed, and what its device delivers."""

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
            set_sink(StationSink(on_batch=lambda batch: self.on_readings(bed_id, batch, source=src),
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

