"""The board of remote beds on the server: bedsides replace their rows, stations read them all.

Each side holds one connection of its own (not the store's pool, whose writes wait and
retry for 30 s): a bedside that cannot reach the server must find out within a couple of
seconds and carry on monitoring, and a nurse station's reads must not queue behind saves.
Every call that fails drops the connection and raises ``ServerUnavailableError``; the next
call connects again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from .conninfo import describe
from .errors import ServerUnavailableError

CONNECT_TIMEOUT_S = 2
# A statement that takes longer than this is treated as the server being unreachable.
STATEMENT_TIMEOUT_MS = 2000


@dataclass(frozen=True, slots=True)
class BoardAlarm:
    """One active alarm of a published bed: enough for a nurse station to show it, sound it
    and name exactly this occurrence when it asks the bedside to acknowledge it."""

    alarm_id: str
    kind: str  # AlarmKind value
    priority: str  # "high", "medium", "low"
    text: str  # as the bedside shows it ("*** Pulse rate high")
    started_at: float  # wall time (epoch seconds) at the bedside
    peak: float | None = None
    acknowledged_by: str = ""
    acknowledged_at: float | None = None
    latched: bool = False

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    def as_json(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in self.__slots__}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BoardAlarm:
        return cls(**{f: data[f] for f in cls.__slots__ if f in data})


@dataclass(frozen=True, slots=True)
class BoardRow:
    """One bed as its bedside last published it."""

    bed_id: str
    bed_name: str
    workstation: str
    patient_id: str = ""
    patient_name: str = ""
    device_state: str = ""
    spo2: int | None = None
    pulse_rate: int | None = None
    alarm: str = ""  # the highest-priority active alarm's text, "" when none
    alarm_priority: str = ""  # "high", "medium", "low" or ""
    unacknowledged: int = 0
    measured_at: datetime | None = None  # wall time of the newest numerics at the bedside
    alarms: tuple[BoardAlarm, ...] = ()  # every active alarm, most urgent first


_COLUMNS = ("bed_id", "bed_name", "workstation", "patient_id", "patient_name", "device_state", "spo2",
            "pulse_rate", "alarm", "alarm_priority", "unacknowledged", "measured_at", "alarms")


_UPSERT = (f"INSERT INTO bed_board ({', '.join(_COLUMNS)}, beat_at) "
           f"VALUES ({', '.join(['%s'] * len(_COLUMNS))}, now()) "
           "ON CONFLICT (bed_id) DO UPDATE SET "
           + ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS[1:]) + ", beat_at = now()")


class ServerConnection:
    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo
        self.where = describe(conninfo)
        self._conn: psycopg.Connection[Any] | None = None

    def get(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._conn.closed:
            try:
                self._conn = psycopg.connect(self.conninfo, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
                # SET, not ``options=``: that would replace the address's own options.
                self._conn.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
            except psycopg.OperationalError as exc:
                raise ServerUnavailableError(f"PostgreSQL server unavailable at {self.where}: {exc}") from exc
        return self._conn

    def failed(self, exc: BaseException) -> ServerUnavailableError:
        self.close()
        return ServerUnavailableError(f"PostgreSQL server unavailable at {self.where}: {exc}")

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except psycopg.Error:
                pass
            self._conn = None


class BoardWriter:
    """The bedside's side: replace this workstation's beds on the board (one transaction)."""

    def __init__(self, conninfo: str, workstation: str) -> None:
        self.workstation = workstation
        self._conn = ServerConnection(conninfo)

    def publish(self, rows: Sequence[BoardRow]) -> None:
        """Replace ``rows`` on the board, stamped with the server's time (the heartbeat)."""
        if not rows:
            return
        conn = self._conn.get()
        try:
            with conn.transaction():
                conn.cursor().executemany(_UPSERT, [_values(r) for r in rows])
        except psycopg.OperationalError as exc:
            raise self._conn.failed(exc) from exc

    def withdraw(self, bed_ids: Sequence[str]) -> None:
        """These beds are no longer monitored here (the board forgets them)."""
        conn = self._conn.get()
        try:
            conn.execute("DELETE FROM bed_board WHERE workstation = %s AND bed_id = ANY(%s)",
                         (self.workstation, list(bed_ids)))
        except psycopg.OperationalError as exc:
            raise self._conn.failed(exc) from exc

    def close(self) -> None:
        self._conn.close()


class BoardReader:
    """The nurse station's side: every bed with how long ago its bedside last beat."""

    def __init__(self, conninfo: str) -> None:
        self._conn = ServerConnection(conninfo)
        self.where = self._conn.where

    def read(self) -> list[tuple[BoardRow, float]]:
        """(row, seconds since its bedside last published, by the server's clock), by bed name."""
        conn = self._conn.get()
        try:
            found = conn.execute(f"SELECT {', '.join(_COLUMNS)}, extract(epoch FROM now() - beat_at) "
                                 "FROM bed_board ORDER BY bed_name, bed_id").fetchall()
        except psycopg.OperationalError as exc:
            raise self._conn.failed(exc) from exc
        return [(_row(found_row[:-1]), float(found_row[-1])) for found_row in found]

    def close(self) -> None:
        self._conn.close()


def _values(row: BoardRow) -> tuple[Any, ...]:
    values = [getattr(row, c) for c in _COLUMNS]
    values[-1] = Jsonb([a.as_json() for a in row.alarms])
    return tuple(values)


def _row(values: Sequence[Any]) -> BoardRow:
    fields = dict(zip(_COLUMNS, values, strict=True))
    fields["alarms"] = tuple(BoardAlarm.from_json(a) for a in fields["alarms"] or ())
    return BoardRow(**fields)
