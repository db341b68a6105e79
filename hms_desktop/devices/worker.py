"""What every device reader shares: one QThread, the two signals, states and a clean stop."""

from __future__ import annotations

import threading

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal

from hms_desktop.domain.readings import DeviceFlag, Reading

STATES = ("connecting", "streaming", "no_data", "disconnected", "stopped")
# Sent once when the device goes quiet or away, so a view listening only to readings
# still learns of the technical condition (DISCONNECTED is set by readers, never parsers).
DISCONNECTED_READING = Reading(flags=frozenset({DeviceFlag.DISCONNECTED}))


class ThreadedReader(QObject):
    """Runs ``_run()`` on its own QThread until ``stop()``; create it on the GUI thread."""

    sig_readings_received = Signal(object)
    """A tuple[Reading, ...] batch, at most ~30 per second."""
    sig_state_changed = Signal(str)
    """One of STATES whenever the connection state changes."""

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.state = "stopped"
        self.last_error = ""
        self._stop = threading.Event()
        self._thread = _Thread(self)
        self._thread.setObjectName(name)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)  # never leave a reader running past the app

    def start(self) -> None:
        if self._thread.isRunning():
            return
        self._stop.clear()
        self._thread.start()

    def stop(self) -> None:
        """Ends the worker and closes the device; returns after the thread has finished.

        Batches already queued to the GUI thread may still be delivered after this returns.
        """
        self._stop.set()
        self._thread.wait()
        self._set_state("stopped")

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def _run(self) -> None:
        raise NotImplementedError

    # -- called on the reader thread -------------------------------------------------------
    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.sig_state_changed.emit(state)

    def _lost(self, error: str) -> None:
        """The device went away: say so once, however many reconnect attempts follow."""
        self.last_error = error
        if self.state not in ("disconnected", "stopped"):
            self._set_state("disconnected")
            self.sig_readings_received.emit((DISCONNECTED_READING,))

    def _no_data(self) -> None:
        if self.state != "no_data":
            self._set_state("no_data")
            self.sig_readings_received.emit((DISCONNECTED_READING,))


class _Thread(QThread):
    def __init__(self, reader: ThreadedReader) -> None:
        super().__init__(reader)
        self._reader = reader

    def run(self) -> None:
        self._reader._run()
