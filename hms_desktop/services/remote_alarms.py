"""Remote beds' alarms at the nurse station: what it shows and sounds, and acknowledging them.

- ``RemoteAlarmBoard`` (station): every active alarm the bedsides published, plus the
  station's own "Bed N: no data from <workstation>" alarm for a bedside gone silent (medium,
  or the priority of the worst alarm that bedside last showed unacknowledged, never lower,
  as a hand-over at the bedside; escalates to high after 120 s unacknowledged). ``sounding``
  is what the station's speaker must sound: the unacknowledged ones, except a silent
  bedside's last-known alarms (its no-data alarm carries them) and this workstation's own
  beds (its monitoring core sounds those already).
- ``RemoteAcknowledger`` (station): sends an acknowledge for the exact alarm shown to the
  owning bedside through the server (``storage/postgres/alarm_requests.py``) and waits for
  its answer on a thread of its own; no answer within ``ACK_TIMEOUT_S`` means it did not
  reach the bedside, and it can then never be applied.
- ``BedsideAcknowledgements`` (bedside): wakes on the station's NOTIFY (or every half
  second), applies each request with the bedside's own alarm engine (``apply``, from
  ``monitoring/remote.py``) and writes the answer.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from hms_desktop.domain.alarm_limits import Priority
from hms_desktop.services.remote_beds import Loop, RemoteBed
from hms_desktop.storage.postgres.alarm_requests import (
    AckAnswer,
    AckRequest,
    Apply,
    RequestInbox,
    RequestSender,
    RequestStatus,
)
from hms_desktop.storage.postgres.bed_board import BoardAlarm
from hms_desktop.storage.postgres.errors import ServerUnavailableError

log = logging.getLogger(__name__)
ACK_TIMEOUT_S = 3.0  # the bedside answers in well under a second when it is reachable
ESCALATE_AFTER_S = 120.0  # an unacknowledged medium no-data alarm becomes high (docs/monitor.md)
NO_DATA_KIND = "remote_no_data"
_PRIORITIES = {p.value: p for p in Priority}


def _priority(value: str) -> Priority:
    return _PRIORITIES.get(value, Priority.HIGH)  # an unknown priority is never sounded softer


@dataclass(frozen=True, slots=True)
class RemoteAlarm:
    """One alarm the station shows for a remote bed."""

    bed: RemoteBed
    alarm: BoardAlarm
    at_station: bool = False  # the station's own no-data alarm: acknowledged here

    @property
    def key(self) -> str:
        """Unique across workstations (bedsides name alarms by bed and time)."""
        return f"{self.bed.row.workstation}/{self.alarm.alarm_id}"

    @property
    def priority(self) -> Priority:
        return _priority(self.alarm.priority)

    @property
    def where(self) -> str:
        return f"{self.bed.row.bed_name} on {self.bed.row.workstation}"


@dataclass
class _NoData:
    alarm: BoardAlarm
    started: float  # station monotonic time


class RemoteAlarmBoard:
    """The station's alarms of remote beds (thread-safe: the watcher updates, the GUI reads)."""

    def __init__(self, own_workstation: str, *, clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time) -> None:
        self.own_workstation = own_workstation
        self._clock = clock
        self._wall = wall
        self._lock = threading.Lock()
        self._no_data: dict[tuple[str, str], _NoData] = {}
        self._alarms: list[RemoteAlarm] = []

    def update(self, beds: list[RemoteBed]) -> list[RemoteAlarm]:
        """The alarms to show now, most urgent first."""
        now = self._clock()
        with self._lock:
            out: list[RemoteAlarm] = []
            silent: set[tuple[str, str]] = set()
            for bed in beds:
                out += [RemoteAlarm(bed, a) for a in bed.row.alarms]
                if bed.stale and bed.row.workstation != self.own_workstation:
                    key = (bed.row.workstation, bed.row.bed_id)
                    silent.add(key)
                    out.append(RemoteAlarm(bed, self._no_data_alarm(key, bed, now), at_station=True))
            for gone in set(self._no_data) - silent:  # data is back: the no-data alarm ends
                del self._no_data[gone]
            out.sort(key=lambda a: (-a.priority.rank, a.alarm.started_at))
            self._alarms = out
            return list(out)

    def _no_data_alarm(self, key: tuple[str, str], bed: RemoteBed, now: float) -> BoardAlarm:
        state = self._no_data.get(key)
        if state is None:
            carried = [_priority(a.priority) for a in bed.row.alarms if not a.acknowledged]
            priority = max([Priority.MEDIUM, *carried], key=lambda p: p.rank)
            alarm = BoardAlarm(f"{bed.row.bed_id}-{NO_DATA_KIND}-{round(self._wall() * 1000)}", NO_DATA_KIND,
                               priority.value, "", started_at=self._wall())
            state = self._no_data[key] = _NoData(alarm, now)
        elif (state.alarm.priority == Priority.MEDIUM.value and not state.alarm.acknowledged
              and now - state.started >= ESCALATE_AFTER_S):
            state.alarm = replace(state.alarm, priority=Priority.HIGH.value)
        text = f"{_priority(state.alarm.priority).prefix} {bed.problem}"
        return replace(state.alarm, text=text)

    def alarms(self) -> list[RemoteAlarm]:
        with self._lock:
            return list(self._alarms)

    def sounding(self) -> list[tuple[str, Priority]]:
        """(key, priority) of every unacknowledged alarm this station must sound."""
        with self._lock:
            return [(a.key, a.priority) for a in self._alarms
                    if not a.alarm.acknowledged and a.bed.row.workstation != self.own_workstation
                    and (a.at_station or not a.bed.stale)]

    def acknowledge_here(self, alarm: RemoteAlarm, by: str) -> bool:
        """Acknowledge the station's own no-data alarm (its bedside cannot be reached);
        False when it has ended or changed since it was shown."""
        key = (alarm.bed.row.workstation, alarm.bed.row.bed_id)
        with self._lock:
            state = self._no_data.get(key)
            if (state is None or state.alarm.alarm_id != alarm.alarm.alarm_id
                    or state.alarm.priority != alarm.alarm.priority or state.alarm.acknowledged):
                return False
            state.alarm = replace(state.alarm, acknowledged_by=by, acknowledged_at=self._wall())
            self._alarms = [replace(a, alarm=replace(a.alarm, acknowledged_by=by, acknowledged_at=self._wall()))
                            if a.at_station and a.alarm.alarm_id == alarm.alarm.alarm_id else a
                            for a in self._alarms]
            return True


def answer_text(alarm: RemoteAlarm, answer: AckAnswer, by: str) -> str:
    """What the station says after an acknowledge, naming the bed, the alarm and the bedside."""
    head = f"{alarm.where}: {alarm.alarm.text.strip()}"
    if answer.status is RequestStatus.APPLIED:
        return f"{head} — acknowledged by {by}, confirmed by {alarm.bed.row.workstation}"
    if answer.status is RequestStatus.REFUSED:
        return f"{head} — NOT acknowledged: {answer.answer}"
    return (f"{head} — NOT acknowledged: the acknowledge did not reach {alarm.bed.row.workstation} "
            f"({answer.answer}); answer the alarm at the bedside")


OnAnswer = Callable[[RemoteAlarm, AckAnswer], None]


class RemoteAcknowledger:
    """The station's acknowledge requests, sent and awaited one at a time on a thread."""

    def __init__(self, conninfo: str, workstation: str, *, timeout: float = ACK_TIMEOUT_S) -> None:
        self.workstation = workstation
        self.timeout = timeout
        self._sender = RequestSender(conninfo)
        self._queue: queue.Queue[tuple[RemoteAlarm, str, OnAnswer] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="hms-remote-ack", daemon=True)
        self._thread.start()

    def submit(self, alarm: RemoteAlarm, by: str, on_answer: OnAnswer) -> None:
        """Ask ``alarm``'s bedside to acknowledge it under ``by``; ``on_answer`` is called on
        this object's thread (at once when the answer is clear without asking)."""
        if alarm.bed.stale:
            on_answer(alarm, AckAnswer(RequestStatus.EXPIRED, f"no data from it for {alarm.bed.age_s:.0f} s"))
        elif alarm.alarm.acknowledged:
            on_answer(alarm, AckAnswer(RequestStatus.REFUSED,
                                       f"it was already acknowledged by {alarm.alarm.acknowledged_by}"))
        else:
            self._queue.put((alarm, by, on_answer))

    def request(self, alarm: RemoteAlarm, by: str) -> AckAnswer:
        """Send one request and wait for the answer (on the calling thread)."""
        row = alarm.bed.row
        request = AckRequest(row.workstation, row.bed_id, alarm.alarm.kind, alarm.alarm.alarm_id,
                             alarm.alarm.priority, by, self.workstation)
        try:
            request_id = self._sender.send(request)
            return self._sender.wait(request_id, self.timeout,
                                     expired=f"no answer within {self.timeout:.0f} s")
        except ServerUnavailableError as exc:
            return AckAnswer(RequestStatus.EXPIRED, f"the server could not be reached: {exc}")

    def _run(self) -> None:
        while (job := self._queue.get()) is not None:
            alarm, by, on_answer = job
            try:
                on_answer(alarm, self.request(alarm, by))
            except Exception:  # noqa: BLE001 - one failed answer must not stop later requests
                log.exception("acknowledge request for %s failed", alarm.where)

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=self.timeout + 10)
        self._sender.close()


class BedsideAcknowledgements:
    """The bedside's half: apply the station's acknowledge requests for this workstation."""

    WAIT_S = 0.5

    def __init__(self, conninfo: str, workstation: str, apply: Apply, *,
                 on_applied: Callable[[], None] = lambda: None, max_age_s: float = ACK_TIMEOUT_S) -> None:
        self._inbox = RequestInbox(conninfo, workstation)
        self._apply = apply
        self._on_applied = on_applied
        self._max_age_s = max_age_s
        self._failing = False
        self._loop = Loop("hms-bed-ack-inbox", 0.0, self.step)

    def start(self) -> None:
        self._loop.start()

    def step(self) -> None:
        try:
            self.answer_now()
            self._inbox.wait(self.WAIT_S)
        except ServerUnavailableError as exc:
            if not self._failing:
                self._failing = True
                log.warning("acknowledge requests from the nurse station not received: %s", exc)
            time.sleep(self.WAIT_S)

    def answer_now(self) -> list[tuple[AckRequest, AckAnswer]]:
        """Answer every pending request now. ``on_applied`` (the broadcaster's publish) runs
        as soon as one is applied, before the answer is committed, so the board shows the new
        state by the time the station has the answer and reads the board again."""
        done = self._inbox.answer_pending(self._apply_and_publish, max_age_s=self._max_age_s)
        self._failing = False
        for request, answer in done:
            log.info("acknowledge from %s at %s for %s %s: %s %s", request.requested_by, request.requested_from,
                     request.bed_id, request.alarm_id, answer.status.value, answer.answer)
        return done

    def _apply_and_publish(self, request: AckRequest) -> str:
        refused = self._apply(request)
        if not refused:
            self._on_applied()
        return refused

    def stop(self) -> None:
        self._loop.stop()
        self._inbox.close()
