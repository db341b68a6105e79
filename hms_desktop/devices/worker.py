"""What every device reader shares: one QThread, the two signals, states and a clean stop."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal

from hms_desktop.domain.readings import DeviceFlag, Reading

log = logging.getLogger(__name__)

STATES = ("connecting", "streaming", "no_data", "disconnected", "stopped")
# Sent once when the device goes quiet or away, so a view listening only to readings
# still learns of the technical condition (DISCONNECTED is set by readers, never parsers).
DISCONNECTED_READING = Reading(flags=frozenset({DeviceFlag.DISCONNECTED}))


@dataclass(frozen=True)
class ThreadSink:
    """Receivers called on the reader's own thread, beside the GUI-thread signals: the
    monitoring core evaluates alarms from here, so a stalled GUI thread cannot delay them.
    Each must be quick and thread-safe; ``stop()`` returns only after the last call."""

    on_batch: Callable[[tuple[Reading, ...]], None]
    on_state: Callable[[str], None]
    on_problem: Callable[[str], None]
    gui_batches: bool = True
    """False: batches go to the sink only and ``sig_readings_received`` stays quiet. The
    monitoring core takes this: its frame timer moves the pleth into the sweep, so a queued
    signal per batch (480 a second for 16 beds) would cost the GUI thread for nothing."""


class ThreadedReader(QObject):
    """Runs ``_run()`` on its own QThread until ``stop()``; create it on the GUI thread.

    The thread never emits the public signals itself: it emits private ones tagged with the
    run's number, queued to this object on the GUI thread, which re-emits them only while
    that run is current. So once ``stop()`` has said "stopped", nothing queued earlier by
    the thread (a late "streaming", a last batch) can reach a receiver: stop is final.
    """

    sig_readings_received = Signal(object)
    """A tuple[Reading, ...] batch, at most ~30 per second (delivered on the GUI thread)."""
    sig_state_changed = Signal(str)
    """One of STATES whenever the connection state changes (delivered on the GUI thread)."""
    sig_error_changed = Signal(str)
    """Why the device is not streaming, in words ("port /dev/ttyUSB0 is in use by another
    program"), whenever that changes; "" once it streams again (delivered on the GUI thread)."""
    _sig_thread_batch = Signal(object, int)
    _sig_thread_state = Signal(str, int)
    _sig_thread_error = Signal(str, int)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.state = "stopped"
        self.last_error = ""
        # Statistics (written by the reader thread, read anywhere: plain ints and strings).
        self.readings_received = 0
        self.batches_emitted = 0
        self.dropped_bytes = 0
        self.bad_frames = 0  # well-formed frames with values no sensor can produce
        self.last_bad_frame = ""
        self._stop = threading.Event()
        # The thread tags what it sends with _run_no (changed only by start(), while no
        # thread runs); the GUI side passes on only the tag in _accepted (0 after stop()).
        self._run_no = 0
        self._accepted = 0
        self._shown_state = "stopped"  # the last state receivers were told
        self._sink: ThreadSink | None = None
        self.problems = 0  # failures inside the reader (a parser that raised), each reported
        self._sig_thread_batch.connect(self._deliver_batch)
        self._sig_thread_state.connect(self._deliver_state)
        self._sig_thread_error.connect(self._deliver_error)
        self._thread = _Thread(self)
        self._thread.setObjectName(name)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)  # never leave a reader running past the app

    def start(self) -> None:
        if self._thread.isRunning():
            return
        self._run_no += 1
        self._accepted = self._run_no
        self._stop.clear()
        self._thread.start()

    def stop(self) -> None:
        """Ends the worker and closes the device; returns after the thread has finished.

        Says "stopped" (once) before returning; batches and states the thread queued
        earlier are dropped, never delivered after it.
        """
        self._accepted = 0
        self._stop.set()
        self._thread.wait()
        self.state = "stopped"
        if self._shown_state != "stopped":
            self._shown_state = "stopped"
            self.sig_state_changed.emit("stopped")

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def set_thread_sink(self, sink: ThreadSink | None) -> None:
        """Also deliver batches, states and problems on the reader thread (set before start)."""
        self._sink = sink

    def statistics(self) -> dict[str, int | str]:
        """What a technician needs to judge a connection (a status panel, a log line)."""
        return {
            "state": self.state,
            "readings": self.readings_received,
            "batches": self.batches_emitted,
            "dropped_bytes": self.dropped_bytes,
            "bad_frames": self.bad_frames,
            "last_bad_frame": self.last_bad_frame,
            "last_error": self.last_error,
        }

    def _run(self) -> None:
        raise NotImplementedError

    # -- on the GUI thread: pass on what the current run sent -------------------------------
    def _deliver_batch(self, batch: object, run_no: int) -> None:
        if run_no == self._accepted:
            self.sig_readings_received.emit(batch)

    def _deliver_state(self, state: str, run_no: int) -> None:
        if run_no == self._accepted and state != self._shown_state:
            self._shown_state = state
            self.sig_state_changed.emit(state)

    def _deliver_error(self, error: str, run_no: int) -> None:
        if run_no == self._accepted:
            self.sig_error_changed.emit(error)

    # -- called on the reader thread -------------------------------------------------------
    def _emit_batch(self, batch: tuple[Reading, ...]) -> None:
        sink = self._sink  # read once: stop() may clear it meanwhile
        if sink is None or sink.gui_batches:
            self._sig_thread_batch.emit(batch, self._run_no)
        if sink is not None and not self._stop.is_set():
            sink.on_batch(batch)

    def _emit_readings(self, batch: tuple[Reading, ...]) -> None:
        self.readings_received += len(batch)
        self.batches_emitted += 1
        self._emit_batch(batch)

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self._sig_thread_state.emit(state, self._run_no)
            sink = self._sink
            if sink is not None and not self._stop.is_set():
                sink.on_state(state)
            if state == "streaming":
                self._set_error("")

    def _set_error(self, error: str) -> None:
        if error != self.last_error:
            self.last_error = error
            self._sig_thread_error.emit(error, self._run_no)

    def _report_problem(self, text: str) -> None:
        """Something failed inside the reader but reading goes on: count it and say so."""
        self.problems += 1
        self._set_error(text)
        log.warning("%s: %s", self.objectName(), text)
        sink = self._sink
        if sink is not None and not self._stop.is_set():
            sink.on_problem(text)

    def _lost(self, error: str) -> None:
        """The device went away: say so once, however many reconnect attempts follow."""
        self._set_error(error)
        if self.state not in ("disconnected", "stopped"):
            self._set_state("disconnected")
            self._emit_batch((DISCONNECTED_READING,))

    def _no_data(self) -> None:
        if self.state != "no_data":
            self._set_state("no_data")
            self._emit_batch((DISCONNECTED_READING,))


class _Thread(QThread):
    def __init__(self, reader: ThreadedReader) -> None:
        super().__init__(reader)
        self._reader = reader

    def run(self) -> None:
        self._reader._run()
