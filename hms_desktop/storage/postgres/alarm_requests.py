"""Acknowledge requests for remote beds' alarms: the station writes a row, the bedside answers it.

A nurse station inserts one ``bed_alarm_requests`` row naming the exact alarm it showed
(bed, kind, alarm id, priority) and who asks from where, and wakes the owning bedside with
``NOTIFY hms_bed_requests``. The bedside takes its pending rows (``FOR UPDATE SKIP LOCKED``),
applies each with its own alarm engine and writes the answer into the row. The station
waits for that answer; when none comes in time it marks the row expired in the same kind of
guarded update (``WHERE status = 'pending'``), so a request either got an answer or can
never be applied later: a bedside that comes back does not act on an old acknowledge.

Each side uses a connection of its own (``ServerConnection``): failures raise
``ServerUnavailableError`` within seconds and the next call connects again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import psycopg

from .bed_board import ServerConnection
from .errors import ServerUnavailableError

REQUESTS_CHANNEL = "hms_bed_requests"
POLL_S = 0.05  # how often the station looks for its answer


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPLIED = "applied"
    REFUSED = "refused"
    EXPIRED = "expired"  # no answer in time: never applied


@dataclass(frozen=True, slots=True)
class AckRequest:
    """What the station asks: acknowledge this alarm, as it was shown, on this bed."""

    workstation: str
    bed_id: str
    kind: str
    alarm_id: str
    priority: str
    requested_by: str
    requested_from: str
    request_id: int = 0
    age_s: float = 0.0  # since it was written, by the server's clock (set when taken)


@dataclass(frozen=True, slots=True)
class AckAnswer:
    status: RequestStatus
    answer: str


#: The bedside's decision on one request: "" when applied, else why it was refused.
Apply = Callable[[AckRequest], str]

_FIELDS = ("workstation", "bed_id", "kind", "alarm_id", "priority", "requested_by", "requested_from")


class RequestSender:
    """The nurse station's side: ask, then wait for the bedside's answer."""

    def __init__(self, conninfo: str) -> None:
        self._conn = ServerConnection(conninfo)

    def send(self, request: AckRequest) -> int:
        """Write the request and wake the bedside; returns its id."""
        conn = self._conn.get()
        try:
            with conn.transaction():
                found = conn.execute(
                    f"INSERT INTO bed_alarm_requests ({', '.join(_FIELDS)}) "
                    f"VALUES ({', '.join(['%s'] * len(_FIELDS))}) RETURNING request_id",
                    tuple(getattr(request, f) for f in _FIELDS)).fetchone()
                conn.execute("SELECT pg_notify(%s, %s)", (REQUESTS_CHANNEL, request.workstation))
        except psycopg.OperationalError as exc:
            raise self._conn.failed(exc) from exc
        assert found is not None
        return int(found[0])

    def wait(self, request_id: int, timeout: float, *, expired: str) -> AckAnswer:
        """The bedside's answer, or after ``timeout`` the request marked expired (with the
        text ``expired``) so that it can never be applied afterwards."""
        deadline = time.monotonic() + timeout
        while True:
            answer = self._answer(request_id)
            if answer.status is not RequestStatus.PENDING:
                return answer
            if time.monotonic() >= deadline:
                break
            time.sleep(POLL_S)
        conn = self._conn.get()
        try:
            conn.execute("UPDATE bed_alarm_requests SET status = 'expired', answer = %s, answered_at = now() "
                         "WHERE request_id = %s AND status = 'pending'", (expired, request_id))
        except psycopg.OperationalError as exc:
            raise self._conn.failed(exc) from exc
        return self._answer(request_id)  # expired now, or answered just before the deadline

    def _answer(self, request_id: int) -> AckAnswer:
        conn = self._conn.get()
        try:
            found = conn.execute("SELECT status, answer FROM bed_alarm_requests WHERE request_id = %s",
                                 (request_id,)).fetchone()
        except psycopg.OperationalError as exc:
            raise self._conn.failed(exc) from exc
        if found is None:
            raise ServerUnavailableError(f"acknowledge request {request_id} is gone from the server")
        return AckAnswer(RequestStatus(found[0]), found[1])

    def close(self) -> None:
        self._conn.close()


class RequestInbox:
    """The bedside's side: wait for a wake-up, then answer this workstation's pending requests."""

    def __init__(self, conninfo: str, workstation: str) -> None:
        self.workstation = workstation
        self._conn = ServerConnection(conninfo)
        self._listening = False

    def wait(self, timeout: float) -> None:
        """Return when a request may have arrived, or after ``timeout`` (a missed wake-up
        costs at most that long: the caller looks for pending rows either way)."""
        conn = self._conn.get()
        try:
            if not self._listening:
                conn.execute(f"LISTEN {REQUESTS_CHANNEL}")
                self._listening = True
            for _note in conn.notifies(timeout=timeout, stop_after=1):
                pass
        except psycopg.OperationalError as exc:
            self._listening = False
            raise self._conn.failed(exc) from exc

    def answer_pending(self, apply: Apply, *, max_age_s: float) -> list[tuple[AckRequest, AckAnswer]]:
        """Apply every pending request for this workstation, oldest first, in one transaction
        (a station's expiry waits for it); a request older than ``max_age_s`` is expired
        unapplied (its station has stopped waiting)."""
        conn = self._conn.get()
        done: list[tuple[AckRequest, AckAnswer]] = []
        try:
            with conn.transaction():
                rows = conn.execute(
                    f"SELECT {', '.join(_FIELDS)}, request_id, extract(epoch FROM now() - requested_at) "
                    "FROM bed_alarm_requests WHERE workstation = %s AND status = 'pending' "
                    "ORDER BY request_id FOR UPDATE SKIP LOCKED", (self.workstation,)).fetchall()
                for row in rows:
                    fields: dict[str, Any] = dict(zip(_FIELDS, row[:-2], strict=True))
                    request = AckRequest(**fields, request_id=int(row[-2]), age_s=float(row[-1]))
                    if request.age_s > max_age_s:
                        answer = AckAnswer(RequestStatus.EXPIRED, f"arrived after {request.age_s:.0f} s; not applied")
                    else:
                        refused = apply(request)
                        answer = AckAnswer(RequestStatus.REFUSED if refused else RequestStatus.APPLIED, refused)
                    conn.execute("UPDATE bed_alarm_requests SET status = %s, answer = %s, answered_at = now() "
                                 "WHERE request_id = %s", (answer.status.value, answer.answer, request.request_id))
                    done.append((request, answer))
        except psycopg.OperationalError as exc:
            self._listening = False
            raise self._conn.failed(exc) from exc
        return done

    def close(self) -> None:
        self._conn.close()
        self._listening = False
