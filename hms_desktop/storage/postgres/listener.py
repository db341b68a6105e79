"""LISTEN/NOTIFY: other workstations' changes arrive here within milliseconds.

One dedicated connection (not from the pool: a pooled connection is reset between uses)
listens on one channel. If the server goes away, the thread reconnects with back-off and
then asks the store to catch up, because notifications sent meanwhile are not queued.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg

log = logging.getLogger(__name__)
CHANNEL = "hms_changes"


class ChangeListenerThread:
    def __init__(self, conninfo: str, on_payload: Callable[[str], None],
                 on_reconnected: Callable[[], None]) -> None:
        self._conninfo = conninfo
        self._on_payload = on_payload
        self._on_reconnected = on_reconnected
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hms-pg-listen")
        self.connected = threading.Event()

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        delay = 0.2
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=3) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.connected.set()
                    delay = 0.2
                    # Changes committed before LISTEN took effect were never notified to us:
                    # after a reconnection, and also at the first connection, since tables
                    # loaded before this thread got as far as LISTEN would otherwise miss them.
                    self._safely(self._on_reconnected)
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=0.25):
                            self._deliver(note.payload)
            except psycopg.OperationalError as exc:
                self.connected.clear()
                if not self._stop.is_set():
                    log.warning("change listener lost the server, reconnecting: %s", exc)
                    self._stop.wait(delay)
                    delay = min(delay * 2, 2.0)

    def _deliver(self, payload: str) -> None:
        self._safely(lambda: self._on_payload(payload))

    @staticmethod
    def _safely(callback: Callable[[], None]) -> None:
        try:
            callback()
        except Exception:  # noqa: BLE001 - the listener must keep listening
            log.exception("handling a change notification failed")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
