"""An open clinic database on a PostgreSQL server: the ``StoreBackend`` of several workstations.

Connections come from a small pool (psycopg_pool). Each write is one transaction; it is
acknowledged (returns) only after COMMIT succeeded. When the server goes away the write is
retried for ``retry_for`` seconds, saying so through ``on_status``; if the connection broke
during COMMIT the retry first asks the server whether that transaction's rows are there
(``txn`` column), so a write is neither lost nor saved twice. After that,
``ServerUnavailableError`` says the server is unavailable and nothing was saved.
"""

from __future__ import annotations

import getpass
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import psycopg
from psycopg import Connection, sql
from psycopg_pool import ConnectionPool

from ..backend import ChangeListener, StoredChange
from ..quarantine import QuarantinedRow
from ..schema import M, TableSpec
from .conninfo import describe
from .ddl import create_table
from .errors import ServerUnavailableError
from .listener import CHANNEL, ChangeListenerThread
from .migrate import MIGRATION_LOCK, migrate
from .table import Cells, PgTable

log = logging.getLogger(__name__)
T = TypeVar("T")
Work = Callable[[Connection[Any], uuid.UUID], list[Cells]]


class PgStore:
    """Same interface as the CSV ``Store`` (storage/backend.py), plus ``SharedStore``."""

    def __init__(self, conninfo: str, *, data_dir: Path | str | None = None, actor: str | None = None,
                 read_only: bool = False, retry_for: float = 30.0, listen: bool = True,
                 on_status: Callable[[str], None] | None = None, pool_size: int = 4) -> None:
        self.conninfo = conninfo
        self.where = describe(conninfo)
        self.data_dir = Path(data_dir or Path.cwd()).resolve()
        self.actor = actor or _os_user()
        self.read_only = read_only
        self.read_only_reason = "opened read-only on request" if read_only else ""
        self.retry_for = retry_for
        self.origin = uuid.uuid4().hex
        self.closed = False
        self._on_status = on_status or (lambda _message: None)
        self._listeners: list[ChangeListener] = []
        self._listeners_lock = threading.Lock()
        self._tables: dict[str, PgTable[Any]] = {}
        self._day_logs: dict[str, Any] = {}
        self._quarantine: list[QuarantinedRow] = []
        self._open_lock = threading.Lock()
        self._held = threading.local()  # the connection of an ``exclusive`` block on this thread
        self._pool = ConnectionPool(conninfo, min_size=1, max_size=pool_size, open=False,
                                    # No check on checkout (a round trip per write): a connection
                                    # broken by a server restart fails its write, is discarded
                                    # by the pool, and ``write`` retries on a fresh one.
                                    configure=_configure,
                                    kwargs={"autocommit": True}, timeout=5.0, name="hms")
        try:
            self._pool.open(wait=True, timeout=10.0)
        except psycopg.OperationalError as exc:
            self._pool.close()
            raise ServerUnavailableError(f"PostgreSQL server unavailable at {self.where}: {exc}") from exc
        try:
            with self.connection() as conn:
                migrate(conn)
                # Tables that exist already need no DDL at open: re-running CREATE … IF NOT
                # EXISTS and CREATE OR REPLACE VIEW for each of ~30 tables cost a catalog
                # write and a WAL flush apiece, most of a server start-up's table time.
                self._created: dict[str, int] = dict(
                    conn.execute("SELECT name, schema_version FROM hms_tables").fetchall())
        except BaseException:
            self._pool.close()
            raise
        self._listener = ChangeListenerThread(conninfo, self._on_notify, self._on_reconnected) if listen else None
        if self._listener is not None:
            self._listener.start()

    # ------------------------------------------------------------------ connections
    @property
    def holds_lock(self) -> bool:
        """Every workstation on the server monitors its own beds, unless opened read-only."""
        return not self.read_only

    @property
    def held_elsewhere(self) -> bool:
        return False  # workstations share a server; none holds it for itself

    @property
    def can_repair(self) -> bool:
        return False  # Repair is for a CSV folder; the server keeps its own consistency

    def free_space_warning(self) -> str:
        return ""  # the server's disk is the server administrator's to watch

    def checkpoint_problems(self) -> list[str]:
        return []  # no checkpoints: every write is a committed transaction

    @contextmanager
    def connection(self) -> Iterator[Connection[Any]]:
        """A pooled connection (or the one held by this thread's ``exclusive`` block)."""
        held = getattr(self._held, "conn", None)
        if held is not None:
            yield held
            return
        try:
            with self._pool.connection() as conn:
                yield conn
        except psycopg.OperationalError as exc:
            raise ServerUnavailableError(f"PostgreSQL server unavailable at {self.where}: {exc}") from exc

    def write(self, table: PgTable[Any] | None, work: Work, *, commits_itself: bool = False) -> list[Cells]:
        """Run ``work`` in one transaction; retried while the server is unreachable.

        ``commits_itself``: ``work`` sends everything in one pipeline whose Sync commits it
        (an implicit transaction; ``PgTable._save``), so no BEGIN and COMMIT round trips.
        """
        held = getattr(self._held, "conn", None)
        txn = uuid.uuid4()
        if held is not None:
            with held.transaction():  # a savepoint inside the exclusive block
                rows = work(held, txn)
            if table is not None:
                table.applied(rows)
                self._held.touched.add(table.spec.name)
            return rows
        deadline = time.monotonic() + self.retry_for
        attempt = 0
        while True:
            attempt += 1
            try:
                with self._pool.connection() as conn:
                    if attempt > 1 and table is not None:
                        rows = table.recovered(conn, txn)
                        if rows:  # the COMMIT had reached the server; only its reply was lost
                            table.applied(rows)
                            return rows
                    if commits_itself:
                        rows = work(conn, txn)
                    else:
                        with conn.transaction():
                            rows = work(conn, txn)
                if attempt > 1:
                    self._on_status(f"PostgreSQL server at {self.where} is available again")
                if table is not None:
                    table.applied(rows)
                return rows
            except psycopg.OperationalError as exc:
                if time.monotonic() >= deadline:
                    raise ServerUnavailableError(
                        f"PostgreSQL server unavailable at {self.where}; nothing was saved ({exc})"
                    ) from exc
                self._on_status(f"PostgreSQL server unavailable at {self.where}; retrying…")
                log.warning("write failed (attempt %d), retrying: %s", attempt, exc)
                time.sleep(min(0.2 * attempt, 1.0))

    def notify(self, conn: Connection[Any], table: str, ids: list[str], op: str) -> None:
        """Tell every workstation (delivered when this transaction commits)."""
        payload = {"t": table, "o": self.origin, "op": op, "ids": ids if len(ids) <= 100 else []}
        conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, json.dumps(payload)))

    def notify_saved(self, conn: Connection[Any], table: str, versions: sql.Identifier, txn: uuid.UUID,
                     op: str) -> None:
        """``notify`` for a pipelined save: the IDs are the rows this transaction saved, read
        on the server (it named them); nothing saved, nothing sent."""
        conn.execute(sql.SQL(
            "SELECT pg_notify(%s, json_build_object('t', %s::text, 'o', %s::text, 'op', %s::text,"
            " 'ids', saved.ids)::text) FROM (SELECT json_agg(id ORDER BY seq) AS ids FROM {}"
            " WHERE txn = %s) AS saved WHERE saved.ids IS NOT NULL").format(versions),
            (CHANNEL, table, self.origin, op, txn))

    # ------------------------------------------------------------------ tables
    def table(self, spec: TableSpec) -> PgTable[Any]:
        with self._open_lock:
            table = self._tables.get(spec.name)
            if table is not None:
                if table.spec.model is not spec.model:
                    raise ValueError(f"table {spec.name!r} is already open with another model")
                return table
            self._ensure_table(spec)
            table = PgTable(self, spec)
            self._tables[spec.name] = table
            return table

    def _ensure_table(self, spec: TableSpec) -> None:
        if self._created.get(spec.name) == spec.schema_version:
            return  # created by this or another workstation; a different version is refused below
        # Its own connection, even inside an ``exclusive`` block: the table must exist for good
        # even if that block's transaction rolls back.
        with self._pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            row = conn.execute("SELECT schema_version FROM hms_tables WHERE name = %s", (spec.name,)).fetchone()
            if row is not None and row[0] != spec.schema_version:
                raise RuntimeError(
                    f"table {spec.name} on {self.where} has schema version {row[0]}, this program "
                    f"version {spec.schema_version}; upgrade every workstation to the same HMS Desktop "
                    "(migrating a server table's schema is not supported yet)")
            for statement in create_table(spec.name, spec.fields):
                conn.execute(statement)
            conn.execute("INSERT INTO hms_tables (name, schema_version, id_prefix) VALUES (%s, %s, %s) "
                         "ON CONFLICT (name) DO NOTHING", (spec.name, spec.schema_version, spec.id_prefix))
        self._created[spec.name] = spec.schema_version

    def tables(self) -> list[PgTable[Any]]:
        with self._open_lock:
            return list(self._tables.values())

    def day_log(self, kind: str, model: type[M]) -> Any:
        from .daylog import PgDayLog

        with self._open_lock:
            log_ = self._day_logs.get(kind)
            if log_ is None:
                log_ = PgDayLog(self, kind, model)
                self._day_logs[kind] = log_
            return log_

    @property
    def quarantine(self) -> list[QuarantinedRow]:
        """Notes carried over by ``migrate``; the last list read if the server is gone or the
        store closed (the window asks while closing, as it may on the CSV folder)."""
        if self.closed:
            return list(self._quarantine)
        try:
            with self.connection() as conn:
                rows = conn.execute("SELECT file, line, reason, raw, record_id, table_name "
                                    "FROM quarantine_notes ORDER BY n").fetchall()
        except ServerUnavailableError as exc:
            log.warning("quarantine notes not refreshed: %s", exc)
            return list(self._quarantine)
        self._quarantine = [QuarantinedRow(*row) for row in rows]
        return list(self._quarantine)

    # ------------------------------------------------------------------ several workstations
    def subscribe_changes(self, listener: ChangeListener) -> Callable[[], None]:
        with self._listeners_lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._listeners_lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def changed_elsewhere(self, table: str, ids: list[str], op: str = "update") -> None:
        change = StoredChange(table, tuple(ids), op, "elsewhere")
        with self._listeners_lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(change)
            except Exception:  # noqa: BLE001 - a broken view must not stop the others
                log.exception("change listener failed for %s", change)

    def _on_notify(self, payload: str) -> None:
        try:
            data = json.loads(payload)
        except ValueError:
            return
        if data.get("o") == self.origin:
            return
        table = self._tables.get(str(data.get("t")))
        if table is None:
            return
        with self.connection() as conn:
            changed = table.catch_up(conn)
        if changed:
            self.changed_elsewhere(table.spec.name, changed, str(data.get("op", "update")))

    def _on_reconnected(self) -> None:
        """Notifications sent while the listener was cut off are lost: catch up every table."""
        for table in self.tables():
            with self.connection() as conn:
                changed = table.catch_up(conn)
            if changed:
                self.changed_elsewhere(table.spec.name, changed)

    def exclusive(self, *tables: str) -> AbstractContextManager[dict[str, list[str]]]:
        return self._exclusive(tables)

    @contextmanager
    def _exclusive(self, names: tuple[str, ...]) -> Iterator[dict[str, list[str]]]:
        """Hold the tables' write locks (one transaction) for a check-then-write.

        Writes made on this thread inside the block join the transaction; they are durable
        when the block ends. If the block fails, the tables are reloaded from the server.
        """
        from .table import LOCK_CLASS

        if getattr(self._held, "conn", None) is not None:
            raise RuntimeError("exclusive blocks do not nest")
        self._held.touched = set(names)  # tables whose cached rows the block may change
        try:
            with self._pool.connection() as conn:
                try:
                    with conn.transaction():
                        changed: dict[str, list[str]] = {}
                        for name in sorted(names):
                            conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (LOCK_CLASS, name))
                            table = self._tables.get(name)
                            if table is not None:
                                table.catch_up(conn)
                            changed[name] = table.claim_changed() if table is not None else []
                        self._held.conn = conn
                        try:
                            yield changed
                        finally:
                            self._held.conn = None
                except BaseException:
                    # The block's writes were rolled back: forget them (never mask the error).
                    for name in self._held.touched:
                        if name in self._tables:
                            try:
                                self._tables[name].reload()
                            except psycopg.Error:
                                log.exception("could not reload %s after a failed block", name)
                    raise
        except psycopg.OperationalError as exc:
            raise ServerUnavailableError(f"PostgreSQL server unavailable at {self.where}; "
                                         f"nothing was saved ({exc})") from exc

    # ------------------------------------------------------------------ closing
    def checkpoint(self) -> None:
        """Nothing to do: the server holds every committed write."""

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self._listener is not None:
            self._listener.stop()
        self._pool.close()


def _configure(conn: Connection[Any]) -> None:
    conn.execute("SET TIME ZONE 'UTC'")


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


__all__ = ["PgStore", "ServerUnavailableError", "sql"]


if TYPE_CHECKING:  # mypy checks that the server backend implements the same interfaces
    from ..backend import DayLogBackend, SharedStore, StoreBackend, TableBackend
    from .daylog import PgDayLog

    def _conforms(store: PgStore, table: PgTable[Any], log: PgDayLog[Any]) -> None:
        _store: StoreBackend = store
        _shared: SharedStore = store
        _table: TableBackend = table
        _log: DayLogBackend = log
