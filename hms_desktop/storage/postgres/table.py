"""One table on the server: ``(id, version)`` rows, current rows cached in memory.

Reads never go to the server: the current rows are held like the CSV engine holds them
(one tuple of cell text per record), loaded once and kept current by this workstation's own
writes and by catching up with other workstations' (LISTEN/NOTIFY, ``store.py``). So search
and the week view cost what they cost on the CSV folder.

Every write to a table takes that table's transaction-level advisory lock, so ``seq`` (the
table's change counter) is assigned and committed in one order on every workstation; catching
up is then exactly "the rows with ``seq`` above the last one seen", and a write first catches
up, inside its transaction, so it checks the record's version against the newest one.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Generic
from uuid import UUID

from psycopg import errors, sql
from pydantic import BaseModel

from ..schema import M, TableSpec, encode_value, escape_text, model_to_cells
from ..schema import cells_to_model as _cells_to_model
from ..table import ReadOnlyError, RecordMeta, Version
from ..value_index import ValueIndex
from .ddl import ENGINE, id_sequence, versions_table
from .errors import ConcurrentEditError

if TYPE_CHECKING:
    import pandas as pd
    from psycopg import Connection

    from .store import PgStore

Cells = tuple[str, ...]
SMALL_BATCH = 20
LOCK_CLASS = 0x484D53  # "HMS": first key of every table lock (the second is hashtext(name))


@dataclass(frozen=True)
class Pending:
    """One version to save: the model's cells (the ID cell empty when the sequence names it)."""

    cells: Cells
    version: int
    expected: int | None = None  # an update's base: saved only if still the newest version


class PgTable(Generic[M]):
    """Thread-safe, like the CSV ``Table``; the same methods and meaning."""

    def __init__(self, store: PgStore, spec: TableSpec) -> None:
        self.spec = spec
        self._store = store
        self._model: type[M] = spec.model  # type: ignore[assignment]
        self._kinds = spec.kinds()
        self._fields = spec.fields
        self._columns = spec.columns
        self._nfields = len(self._fields)
        self._col_index = {name: i for i, name in enumerate(self._columns)}
        self._lock = threading.RLock()
        self._rows: dict[str, Cells] = {}
        self._indexes: dict[str, ValueIndex] = {}
        self._seen_seq = 0
        # IDs other workstations changed, not yet handed to an ``exclusive`` block: the
        # listener thread may catch up first, and the block must still learn about them.
        self._unclaimed: dict[str, None] = {}
        name = spec.name
        # Every column as the text the CSV cell holds, formatted by the server: rows arrive
        # as tuples of str, with no per-row conversion in Python (100,000 rows at start-up).
        self._select_columns = sql.SQL(", ").join([
            *(sql.Identifier(c) for c in self._fields),
            sql.SQL("version::text AS version_text"), _ISO_UPDATED_AT, sql.Identifier("updated_by"),
            sql.SQL("seq::text AS seq_text")])  # aliased: ORDER BY seq must mean the number
        self._versions = versions_table(name)
        self._save_statements: dict[tuple[bool, bool], sql.Composed] = {}
        sequence = id_sequence(name)
        self._move_sequence_past = sql.SQL("SELECT setval({}, greatest(%s, (SELECT last_value FROM {})))").format(
            sql.Literal(sequence), sql.Identifier(sequence))
        self._load()

    @property
    def read_only(self) -> bool:
        return self._store.read_only

    # ------------------------------------------------------------------ loading
    def _load(self) -> None:
        # Every version in commit order, the newest of each record kept: a scan of the
        # versions in ``seq`` order is cheaper on the server than the view's DISTINCT ON sort.
        query = sql.SQL("SELECT {} FROM {} ORDER BY seq").format(self._select_columns, self._versions)
        with self._store.connection() as conn:
            versions: list[Cells] = conn.execute(query).fetchall()
        newest = {cells[0]: cells for cells in versions}
        rows = {record_id: newest[record_id] for record_id in sorted(newest, key=lambda i: (len(i), i))}
        with self._lock:
            self._rows = rows
            self._indexes.clear()
            self._seen_seq = int(versions[-1][-1]) if versions else 0

    def catch_up(self, conn: Connection[Any]) -> list[str]:
        """Apply rows other workstations committed since the last seen; their IDs."""
        return self._caught_up(conn.execute(self._since_query(), (self._seen_seq,)).fetchall())

    def _since_query(self) -> sql.Composed:
        # The upper bound changes no result (no row is above the newest) but makes the plan:
        # for "seq > $1" alone the planner guesses a third of the table, and on a table not
        # analyzed since a bulk load (or with a generic plan) it scanned and sorted every
        # version, ~40 ms at 100,000 patients on every save. A range is guessed narrow, so
        # this is two index probes whatever the statistics.
        return sql.SQL("SELECT {} FROM {} WHERE seq > %s AND seq <= (SELECT max(seq) FROM {}) "
                       "ORDER BY seq").format(self._select_columns, self._versions, self._versions)

    def _caught_up(self, rows: list[Cells]) -> list[str]:
        changed = list(dict.fromkeys(cells[0] for cells in rows))
        with self._lock:
            self._apply(rows)
            self._unclaimed.update(dict.fromkeys(changed))
        return changed

    def claim_changed(self) -> list[str]:
        """IDs changed elsewhere since the last claim (whoever caught up with them)."""
        with self._lock:
            claimed, self._unclaimed = list(self._unclaimed), {}
        return claimed

    def _apply(self, rows: Sequence[Cells]) -> None:
        with self._lock:
            for cells in rows:
                seq = int(cells[-1])
                if seq <= self._seen_seq and cells[0] in self._rows:
                    continue
                old = self._rows.get(cells[0])
                if old is not None and int(old[-1]) > seq:
                    continue
                self._rows[cells[0]] = cells
                for column, index in self._indexes.items():
                    i = self._col_index[column]
                    index.move(cells[0], None if old is None else old[i], cells[i])
                self._seen_seq = max(self._seen_seq, seq)

    def reload(self) -> None:
        """Read every current row again (after the listener lost the server for a while)."""
        self._load()

    # ------------------------------------------------------------------ reading
    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._rows

    def ids(self) -> list[str]:
        with self._lock:
            return list(self._rows)

    def get(self, record_id: str) -> M | None:
        cells = self._rows.get(record_id)
        return None if cells is None else self._to_model(cells)

    def all(self) -> list[M]:
        with self._lock:
            rows = list(self._rows.values())
        return [self._to_model(cells) for cells in rows]

    def column(self, name: str) -> list[str]:
        i = self._col_index[name]
        with self._lock:
            return [cells[i] for cells in self._rows.values()]

    def columns(self, names: Sequence[str]) -> dict[str, list[str]]:
        """Several columns lined up with each other (one snapshot under the lock)."""
        with self._lock:
            return {name: self.column(name) for name in names}

    def where(self, column: str, value: Any) -> list[M]:
        if isinstance(value, str):
            key = value
        else:  # engine columns (version, seq) are plain numbers
            key = encode_value(self._kinds[column], value) if column in self._kinds else str(value)
        with self._lock:
            rows = [self._rows[i] for i in self._index(column).get(key)]
        return [self._to_model(cells) for cells in rows]

    def columns_where(self, column: str, value: str,
                      names: Sequence[str]) -> tuple[list[str], dict[str, list[str]]]:
        """As the CSV ``Table.columns_where``: IDs and the ``names`` cells of the rows whose
        ``column`` is ``value``, without a model per row (the server's text needs no unescaping)."""
        with self._lock:
            ids = self._index(column).get(value)
            rows = [self._rows[i] for i in ids]
        return ids, {name: [r[self._col_index[name]] for r in rows] for name in names}

    def _index(self, column: str) -> ValueIndex:
        """IDs by cell text of ``column`` (call with ``_lock`` held); built on first use."""
        index = self._indexes.get(column)
        if index is None:
            i = self._col_index[column]
            index = ValueIndex(list(self._rows), [cells[i] for cells in self._rows.values()])
            self._indexes[column] = index
        return index

    def meta(self, record_id: str) -> RecordMeta:
        cells = self._rows[record_id]
        at = datetime.fromisoformat(cells[-3]) if cells[-3] else None
        return RecordMeta(int(cells[-4]), at, cells[-2])

    def frame(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        import pandas as pd

        wanted = list(columns or self._columns)
        with self._lock:
            rows = list(self._rows.values())
            ids = list(self._rows)
        data = {c: [r[self._col_index[c]] for r in rows] for c in wanted}
        return pd.DataFrame(data, index=pd.Index(ids, name="id"))

    def history(self, record_id: str) -> list[Version[M]]:
        query = sql.SQL("SELECT op, {} FROM {} WHERE id = %s ORDER BY version").format(
            self._select_columns, self._versions)
        with self._store.connection() as conn:
            rows = list(conn.execute(query, (record_id,)))
        out = []
        for row in rows:
            cells: Cells = tuple(row[1:])
            at = datetime.fromisoformat(cells[-3]) if cells[-3] else None
            out.append(Version(int(cells[-4]), str(row[0]), at, cells[-2], self._to_model(cells)))
        return out

    def _to_model(self, cells: Cells) -> M:
        return _cells_to_model(self._model, self._kinds, cells[: self._nfields])

    # ------------------------------------------------------------------ writing
    def insert(self, model: M) -> M:
        return self.insert_many([model])[0]

    def insert_many(self, models: Sequence[M]) -> list[M]:
        """All or nothing, in one transaction; IDs from the table's sequence."""
        self._check_writable()
        checked_models = [self._model.model_validate(m.model_dump()) for m in models]
        for m in checked_models:
            given = str(getattr(m, "id", "") or "")
            if given and escape_text(given) != given:
                raise ValueError(f"{self.spec.name}: a record needs an id that does not start "
                                 f"with = + - @ ' or a tab ({given!r})")
            if not given and not self.spec.id_prefix:
                raise ValueError(f"{self.spec.name}: a record needs an id ({given!r})")

        if len(checked_models) <= SMALL_BATCH:  # a form's save: one round trip
            taken: set[str] = set()
            pending = []
            for m in checked_models:
                cells = tuple(model_to_cells(m, self._kinds))
                if cells[0] and (cells[0] in self._rows or cells[0] in taken):
                    raise ValueError(f"{self.spec.name}: id {cells[0]} already exists")
                taken.add(cells[0])
                pending.append(Pending(cells, version=1))
            rows = self._store.write(self, lambda conn, txn: self._save(conn, txn, pending, "insert"),
                                     commits_itself=True)
            return [self._to_model(cells) for cells in rows]

        def work(conn: Connection[Any], txn: UUID) -> list[Cells]:
            missing = sum(1 for m in checked_models if not getattr(m, "id", ""))
            seq, numbers = self._lock_and_catch_up(conn, missing, checked_models)
            now, actor = _now(), self._store.actor
            rows: list[Cells] = []
            taken: set[str] = set()
            for m in checked_models:
                data = m.model_dump()
                if not data.get("id"):
                    data["id"] = f"{self.spec.id_prefix}{numbers.pop(0):06d}"
                if data["id"] in self._rows or data["id"] in taken:
                    raise ValueError(f"{self.spec.name}: id {data['id']} already exists")
                taken.add(data["id"])
                checked = self._model.model_validate(data)
                seq += 1
                rows.append((*model_to_cells(checked, self._kinds), "1", now, actor, str(seq)))
            self._insert_rows(conn, rows, "insert", txn)
            return rows

        rows = self._store.write(self, work)
        return [self._to_model(cells) for cells in rows]

    def update(self, record_id: str, changes: Mapping[str, Any] | BaseModel, *,
               expected_version: int | None = None) -> M:
        """Save a new version, or raise ConcurrentEditError if someone else saved one since.

        ``expected_version`` is the version the user opened (``meta(id).version`` when the
        form was filled); by default the version this workstation knows now.
        """
        self._check_writable()
        current = self._rows.get(record_id)
        if current is None:
            raise KeyError(f"{self.spec.name}: no record {record_id}")
        expected = int(current[-4]) if expected_version is None else expected_version
        if isinstance(changes, BaseModel):
            base = changes.model_dump()
        else:
            base = self._to_model(current).model_dump() | dict(changes)
        base["id"] = record_id
        checked = self._model.model_validate(base)
        fields = tuple(model_to_cells(checked, self._kinds))
        if fields == current[: self._nfields] and expected == int(current[-4]):
            return checked

        def work(conn: Connection[Any], txn: UUID) -> list[Cells]:
            rows = self._save(conn, txn, [Pending(fields, expected + 1, expected)], "update")
            if not rows:  # someone saved a newer version first; the catch-up brought it here
                latest = self._rows[record_id]
                raise ConcurrentEditError(
                    self.spec.name, record_id, expected=expected, current=int(latest[-4]),
                    by=latest[-2], at=datetime.fromisoformat(latest[-3]) if latest[-3] else None,
                    theirs=self._to_model(latest), changes=changes)
            return rows

        rows = self._store.write(self, work, commits_itself=True)
        return self._to_model(rows[0])

    def _save(self, conn: Connection[Any], txn: UUID, pending: Sequence[Pending], op: str) -> list[Cells]:
        """Lock, catch up, save and notify in one pipeline: one round trip and one WAL flush.

        On the store's autocommit connection the statements before the pipeline's Sync are
        one implicit transaction, committed at the Sync (all or nothing; a client killed
        before it commits nothing); inside an ``exclusive`` block they join its transaction.
        The server runs them in order, so the catch-up starts after the lock is held, and it
        names what needs the lock: new IDs (the sequence, never handed out twice) and ``seq``
        (the newest + 1). An update saves only if the record's newest version is still the
        one it was based on; the rows saved are returned (none when that check failed).
        """
        now, actor = _now(), self._store.actor
        highest = self._highest_given_number([p.cells[0] for p in pending])
        statements = []  # composed before the pipeline: nothing in it may fail half-way
        for p in pending:
            params: list[Any] = [*p.cells[1:], p.version, now, actor, op, txn]
            if p.cells[0]:
                params.insert(0, p.cells[0])
            if p.expected is not None:
                params += [p.cells[0], p.expected]
            statements.append((self._save_sql(bool(p.cells[0]), p.expected is not None), params))
        try:
            with conn.pipeline():
                conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (LOCK_CLASS, self.spec.name))
                if highest:  # an explicit ID (a migrated folder): never hand that number out again
                    conn.execute(self._move_sequence_past, (highest,))
                since = conn.execute(self._since_query(), (self._seen_seq,))
                saves = [conn.execute(statement, params) for statement, params in statements]
                self._store.notify_saved(conn, self.spec.name, self._versions, txn, op)
        except errors.UniqueViolation as exc:  # an ID another workstation saved meanwhile
            raise ValueError(f"{self.spec.name}: {exc.diag.message_detail or exc}") from exc
        changed = self._caught_up(since.fetchall())
        if changed:
            self._store.changed_elsewhere(self.spec.name, changed)
        rows: list[Cells] = []
        for p, cursor in zip(pending, saves, strict=True):
            saved = cursor.fetchone()
            if saved is not None:
                rows.append((saved[0], *p.cells[1:], str(p.version), now, actor, saved[1]))
        return rows

    def _save_sql(self, given_id: bool, checked: bool) -> sql.Composed:
        """INSERT of one version, its ID and ``seq`` named by the server (composed once)."""
        key = (given_id, checked)
        statement = self._save_statements.get(key)
        if statement is None:
            prefix = sql.Literal(self.spec.id_prefix or "")
            new_id = sql.SQL(  # f"{prefix}{n:06d}", as the CSV folder numbers
                "(SELECT {} || CASE WHEN n < 1000000 THEN lpad(n::text, 6, '0') ELSE n::text END"
                " FROM nextval({}) AS n)").format(prefix, sql.Literal(id_sequence(self.spec.name)))
            names = (*self._fields, *ENGINE, "op", "txn")
            statement = sql.SQL(
                "INSERT INTO {v} ({names}) SELECT {id}, {cells}%s::integer, %s::timestamptz, %s,"
                " (SELECT coalesce(max(seq), 0) + 1 FROM {v}), %s, %s::uuid{check} RETURNING id, seq::text"
            ).format(
                v=self._versions, names=sql.SQL(", ").join(sql.Identifier(c) for c in names),
                id=sql.Placeholder() if given_id else new_id,
                cells=sql.SQL("%s, " * (self._nfields - 1)),
                check=sql.SQL(" WHERE (SELECT max(version) FROM {} WHERE id = %s) = %s").format(self._versions)
                if checked else sql.SQL(""))
            self._save_statements[key] = statement
        return statement

    def _highest_given_number(self, ids: Sequence[str]) -> int:
        prefix = self.spec.id_prefix or ""
        return max((int(i[len(prefix):]) for i in ids
                    if prefix and i.startswith(prefix) and i[len(prefix):].isdigit()), default=0)

    def _lock_and_catch_up(self, conn: Connection[Any], missing: int = 0,
                           models: Sequence[M] = ()) -> tuple[int, list[int]]:
        """For a batch written with COPY: take the table's write lock, catch up, and draw
        ``missing`` new ID numbers, in one round trip (a pipeline run in order, like ``_save``)."""
        sequence = id_sequence(self.spec.name)
        highest = self._highest_given_number([str(getattr(m, "id", "")) for m in models])
        with conn.pipeline():
            conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (LOCK_CLASS, self.spec.name))
            if highest:  # an explicit ID (a migrated folder): never hand that number out again
                conn.execute(self._move_sequence_past, (highest,))
            drawn = (conn.execute("SELECT nextval(%s) FROM generate_series(1, %s)", (sequence, missing))
                     if missing else None)
            since = conn.execute(self._since_query(), (self._seen_seq,))
        changed = self._caught_up(since.fetchall())
        if changed:
            self._store.changed_elsewhere(self.spec.name, changed)
        numbers = [int(r[0]) for r in drawn.fetchall()] if drawn is not None else []
        return self._seen_seq, numbers

    def _insert_rows(self, conn: Connection[Any], rows: Sequence[Cells], op: str, txn: UUID) -> None:
        """A large batch (demo data, an import) with COPY, inside the caller's transaction."""
        names = (*self._fields, *ENGINE, "op", "txn")
        columns = sql.SQL(", ").join(sql.Identifier(c) for c in names)
        copy = sql.SQL("COPY {} ({}) FROM STDIN").format(self._versions, columns)
        try:
            with conn.cursor().copy(copy) as writer:
                for cells in rows:
                    writer.write_row((*cells[:-3], cells[-3] or None, cells[-2], cells[-1], op, txn))
        except errors.UniqueViolation as exc:
            raise ValueError(f"{self.spec.name}: {exc.diag.message_detail or exc}") from exc
        self._store.notify(conn, self.spec.name, [c[0] for c in rows], op)

    def applied(self, rows: Sequence[Cells]) -> None:
        """This workstation's committed rows (called by the store after the commit)."""
        self._apply(rows)

    def recovered(self, conn: Connection[Any], txn: UUID) -> list[Cells]:
        """The rows a write saved if its commit reached the server (the reply was lost)."""
        query = sql.SQL("SELECT {} FROM {} WHERE txn = %s ORDER BY seq").format(
            self._select_columns, self._versions)
        return conn.execute(query, (txn,)).fetchall()

    def _check_writable(self) -> None:
        if self._store.read_only:
            raise ReadOnlyError(self._store.read_only_reason)

    def checkpoint(self) -> None:
        """Nothing to do: every write is committed on the server when it returns."""

    def close(self) -> None:
        """Nothing to release: connections belong to the store's pool."""


# ``datetime.isoformat()`` of the UTC time, as ``_now`` writes it and ``_cells`` reads it:
# microseconds only when there are any.
_ISO_UPDATED_AT = sql.SQL(
    "CASE WHEN mod(extract(microseconds FROM updated_at)::bigint, 1000000) = 0"
    " THEN to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+00:00\"')"
    " ELSE to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"') END")


def _cells(row: Sequence[Any]) -> Cells:
    out = list(row)
    at = out[-3]
    out[-3] = at.astimezone(UTC).isoformat() if isinstance(at, datetime) else ""
    out[-4] = str(out[-4])
    out[-1] = str(out[-1])
    return tuple(out)


def _now() -> str:
    return datetime.now(UTC).isoformat()

