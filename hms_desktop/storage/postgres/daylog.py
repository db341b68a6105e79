"""Time series on the server: one table per kind, partitioned by UTC month.

Rows are appended (never amended), like the CSV day files; a batch is one COPY in one
transaction. Partitions are created on first write of a month under an advisory lock, so
two workstations starting a new month at once do not both try to create it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Generic
from uuid import UUID

from psycopg import sql

from ..schema import M, cells_to_model, model_kinds, model_to_cells
from ..table import ReadOnlyError
from .ddl import create_series, month_partition, series_index, series_table

if TYPE_CHECKING:
    import pandas as pd
    from psycopg import Connection

    from .store import PgStore

PARTITION_LOCK = 0x484D54  # first key of the "creating a month partition" lock


class PgDayLog(Generic[M]):
    def __init__(self, store: PgStore, kind: str, model: type[M]) -> None:
        if "at" not in model.model_fields:
            raise TypeError(f"{model.__name__} needs an 'at' field to be kept in a time series")
        self.kind = kind
        self._store = store
        self._model = model
        self._kinds = model_kinds(model)
        self._columns = tuple(self._kinds)
        self._table = series_table(kind)
        self._months: set[date] = set()
        self._lock = threading.Lock()
        with store.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (PARTITION_LOCK, kind))
            conn.execute(create_series(kind, self._columns))
            conn.execute(series_index(kind))
            conn.execute("INSERT INTO hms_day_logs (kind, columns) VALUES (%s, %s) "
                         "ON CONFLICT (kind) DO UPDATE SET columns = excluded.columns",
                         (kind, list(self._columns)))

    @property
    def read_only(self) -> bool:
        return self._store.read_only

    def append(self, rows: Sequence[M]) -> None:
        if self._store.read_only:
            raise ReadOnlyError(self._store.read_only_reason)
        prepared: list[tuple[Any, ...]] = []
        for row in rows:
            checked = self._model.model_validate(row.model_dump())
            at: datetime = checked.at  # type: ignore[attr-defined]  # checked in __init__
            at = at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)
            prepared.append((at, *model_to_cells(checked, self._kinds)))
        if not prepared:
            return
        months = {at.date().replace(day=1) for at, *_ in prepared}
        with self._lock:
            self._ensure_months(months - self._months)

        def work(conn: Connection[Any], txn: UUID) -> list[tuple[str, ...]]:
            columns = sql.SQL(", ").join(sql.Identifier(c) for c in ("at_utc", *self._columns))
            with conn.cursor().copy(sql.SQL("COPY {} ({}) FROM STDIN").format(self._table, columns)) as copy:
                for values in prepared:
                    copy.write_row(values)
            return []

        self._store.write(None, work)

    def _ensure_months(self, months: set[date]) -> None:
        if not months:
            return
        with self._store.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (PARTITION_LOCK, self.kind))
            for month in sorted(months):
                conn.execute(month_partition(self.kind, month))
        self._months |= months

    def _select(self, start: datetime, end: datetime,
                where: Mapping[str, str] | None) -> list[tuple[Any, ...]]:
        conditions: list[sql.Composable] = [sql.SQL("at_utc >= %s AND at_utc < %s")]
        params: list[Any] = [_utc(start), _utc(end)]
        for column, value in (where or {}).items():
            conditions.append(sql.SQL("{} = %s").format(sql.Identifier(column)))
            params.append(value)
        query = sql.SQL("SELECT at_utc, {} FROM {} WHERE {} "
                        "ORDER BY row_no").format(
            sql.SQL(", ").join(sql.Identifier(c) for c in self._columns), self._table,
            sql.SQL(" AND ").join(conditions))
        with self._store.connection() as conn:
            return list(conn.execute(query, params))

    def read(self, start: datetime, end: datetime) -> list[M]:
        return [cells_to_model(self._model, self._kinds, row[1:]) for row in self._select(start, end, None)]

    def read_frame(self, start: datetime, end: datetime, *,
                   where: Mapping[str, str] | None = None) -> pd.DataFrame:
        import pandas as pd

        rows = self._select(start, end, where)
        frame = pd.DataFrame([row[1:] for row in rows], columns=list(self._columns))
        frame["at_utc"] = pd.to_datetime([row[0] for row in rows], utc=True)
        return frame

    def days(self) -> list[date]:
        query = sql.SQL("SELECT DISTINCT (at_utc AT TIME ZONE 'UTC')::date FROM {} ORDER BY 1").format(
            self._table)
        with self._store.connection() as conn:
            return [row[0] for row in conn.execute(query)]

    def close(self) -> None:
        """Nothing to release: connections belong to the store's pool."""


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
