"""Remote beds: a bedside workstation publishes its beds; a nurse station on another PC shows them.

- The **bedside** (the PC with the device) monitors and alarms exactly as without a server:
  the monitoring core never waits for this module. ``BedsideBroadcaster`` reads the core's
  state twice a second on a thread of its own and replaces those beds' rows on the server's
  board (``storage/postgres/bed_board.py``). If the server is unreachable it says so once,
  keeps trying, and the first publish after the outage carries the current state; the
  seconds of vitals and the alarm events of the outage reach the server through the
  recorder's retry queue (``services/monitoring_recorder.py``), so history catches up too.
- The **nurse station** runs ``StationWatcher``: it reads the whole board twice a second and
  hands each bed to its listener with its age by the server's clock. A bed whose bedside has
  not published for ``STALE_AFTER_S`` becomes "Bed N: no data from <workstation>".

Bedside numerics to the station: at most one publish period plus one read period plus the
two round trips (p99 measured in bench/postgresql.py).
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hms_desktop.storage.postgres.bed_board import BoardReader, BoardRow, BoardWriter
from hms_desktop.storage.postgres.errors import ServerUnavailableError

log = logging.getLogger(__name__)
PUBLISH_EVERY_S = 0.5
READ_EVERY_S = 0.5
STALE_AFTER_S = 5.0

Snapshot = Callable[[], Sequence[BoardRow]]
Say = Callable[[str], None]


def workstation_name() -> str:
    return socket.gethostname() or "this workstation"


@dataclass(frozen=True, slots=True)
class RemoteBed:
    """One bed as the nurse station shows it."""

    row: BoardRow
    age_s: float  # since its bedside last published (server clock)
    stale: bool

    @property
    def problem(self) -> str:
        """The technical alarm text when the bedside went silent, else ""."""
        if not self.stale:
            return ""
        return f"{self.row.bed_name}: no data from {self.row.workstation} for {self.age_s:.0f} s"


class Loop:
    """A named thread calling ``step`` every ``period`` seconds until stopped; ``nudge`` runs
    the next step at once (an acknowledgement just applied is published without waiting)."""

    def __init__(self, name: str, period: float, step: Callable[[], object]) -> None:
        self._period = period
        self._step = step
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._step()
            except Exception:  # noqa: BLE001 - the loop outlives one bad step, like the evaluator
                log.exception("%s failed; trying again", self._thread.name)
            self._wake.wait(self._period)
            self._wake.clear()

    def nudge(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)


class BedsideBroadcaster:
    """Publish this workstation's monitored beds to the server's board, twice a second."""

    def __init__(self, conninfo: str, snapshot: Snapshot, *, workstation: str | None = None,
                 say: Say | None = None, period: float = PUBLISH_EVERY_S) -> None:
        self.workstation = workstation or workstation_name()
        self._writer = BoardWriter(conninfo, self.workstation)
        self._snapshot = snapshot
        self._say = say or (lambda message: log.warning("%s", message))
        self._published: set[str] = set()
        self.unreachable = False
        self.published_count = 0
        self._publishing = threading.Lock()  # one connection: one publish at a time
        self._loop = Loop("hms-bed-broadcast", period, self.publish_now)

    def start(self) -> None:
        self._loop.start()

    def publish_now(self) -> None:
        """Publish the current state (on this object's thread, or on the thread that just
        applied a station's acknowledge, so the board shows it before the station hears back)."""
        with self._publishing:
            self._publish()

    def _publish(self) -> None:
        rows = [r for r in self._snapshot() if r.workstation == self.workstation]
        ids = {r.bed_id for r in rows}
        try:
            gone = sorted(self._published - ids)
            if gone:
                self._writer.withdraw(gone)
            self._writer.publish(rows)
        except ServerUnavailableError as exc:
            if not self.unreachable:
                self.unreachable = True
                self._say(f"{exc}; monitoring and alarms continue on this workstation, the nurse "
                          "station is updated when the server is back")
            return
        if self.unreachable:
            self.unreachable = False
            self._say("the server is reachable again: the nurse station sees these beds again")
        self._published = ids
        self.published_count += 1

    def stop(self) -> None:
        """Stop publishing; the beds stay on the board and turn stale at the station (a
        bedside that closes while monitoring must be noticed, not silently disappear)."""
        self._loop.stop()
        self._writer.close()


class StationWatcher:
    """Read every remote bed twice a second and hand the list to ``on_beds``."""

    def __init__(self, conninfo: str, on_beds: Callable[[list[RemoteBed]], None], *,
                 on_problem: Say | None = None, period: float = READ_EVERY_S,
                 stale_after: float = STALE_AFTER_S) -> None:
        self._reader = BoardReader(conninfo)
        self._on_beds = on_beds
        self._on_problem = on_problem or (lambda message: log.warning("%s", message))
        self._stale_after = stale_after
        self._failing = False
        self._last: list[RemoteBed] = []
        self._loop = Loop("hms-bed-watch", period, self.read_now)

    def start(self) -> None:
        self._loop.start()

    def read_now(self) -> list[RemoteBed]:
        try:
            board = self._reader.read()
        except ServerUnavailableError as exc:
            if not self._failing:
                self._failing = True
                self._on_problem(f"remote beds not updated: {exc}")
            # Never an emptied list: every bed stays, shown as without data.
            beds = [RemoteBed(b.row, b.age_s, True) for b in self._last]
        else:
            self._failing = False
            beds = [RemoteBed(row, age, age > self._stale_after) for row, age in board]
        self._last = beds
        self._on_beds(beds)
        return beds

    def read_soon(self) -> None:
        """Read now rather than at the next period (an acknowledge was just answered)."""
        self._loop.nudge()

    def stop(self) -> None:
        self._loop.stop()
        self._reader.close()
