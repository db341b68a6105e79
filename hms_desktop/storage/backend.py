"""What the services need from storage, as typed interfaces both backends implement.

The CSV folder (``Store`` / ``Table`` / ``DayLog``) is the embedded default; the PostgreSQL
backend (``storage/postgres/``) is the same interfaces on a server shared by several
workstations. The members below are exactly what services, the UI and the command-line
tools call today (docs/contracts.md); a backend that satisfies them can open the app.
``tests/storage/test_backend_protocol.py`` and the mypy assignments at the end of this file
check that the CSV engine conforms without any change to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel

from .quarantine import QuarantinedRow
from .schema import TableSpec
from .table import RecordMeta, Version

if TYPE_CHECKING:
    import pandas as pd

M_co = TypeVar("M_co", bound=BaseModel, covariant=True)
R = TypeVar("R", bound=BaseModel)


class ConcurrentEditError(RuntimeError):
    """An update of a record someone else (another workstation or window) saved since it was read.

    Nothing was saved. ``theirs`` is the record as it is now; ``changes`` what this
    workstation tried to save, so the user can compare and reapply.
    """

    def __init__(self, table: str, record_id: str, *, expected: int, current: int, by: str,
                 at: datetime | None, theirs: Any, changes: Any) -> None:
        when = f" at {at:%Y-%m-%d %H:%M:%S %Z}" if at is not None else ""
        super().__init__(
            f"{table} {record_id} was changed by {by}{when} (version {current}) after you opened "
            f"version {expected}; your changes were not saved. Reopen it to compare and reapply."
        )
        self.table = table
        self.record_id = record_id
        self.expected = expected
        self.current = current
        self.by = by
        self.at = at
        self.theirs = theirs
        self.changes = changes


@runtime_checkable
class TableBackend(Protocol):
    """One table: every version of every record kept, current rows readable fast."""

    spec: TableSpec

    @property
    def read_only(self) -> bool: ...
    def __len__(self) -> int: ...
    def __contains__(self, record_id: object) -> bool: ...
    def ids(self) -> list[str]: ...
    def get(self, record_id: str) -> Any: ...
    def all(self) -> list[Any]: ...
    def column(self, name: str) -> list[str]: ...
    def columns(self, names: Sequence[str]) -> dict[str, list[str]]: ...
    def where(self, column: str, value: Any) -> list[Any]: ...
    def meta(self, record_id: str) -> RecordMeta: ...
    def frame(self, columns: Sequence[str] | None = None) -> pd.DataFrame: ...
    def history(self, record_id: str) -> list[Version[Any]]: ...
    def insert(self, model: Any) -> Any: ...
    def insert_many(self, models: Sequence[Any]) -> list[Any]: ...
    def update(self, record_id: str, changes: Mapping[str, Any] | BaseModel) -> Any: ...
    def checkpoint(self) -> None: ...
    def close(self) -> None: ...


@runtime_checkable
class DayLogBackend(Protocol):
    """Append-only time series (vitals, alarms, wearables), read back by time range."""

    @property
    def read_only(self) -> bool: ...
    def append(self, rows: Sequence[Any]) -> None: ...
    def read(self, start: datetime, end: datetime) -> list[Any]: ...
    def read_frame(self, start: datetime, end: datetime, *,
                   where: Mapping[str, str] | None = None) -> pd.DataFrame: ...
    def days(self) -> list[date]: ...
    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class StoredChange:
    """A change saved by any workstation: which table, which records, what kind of write."""

    table: str
    ids: tuple[str, ...]
    op: str
    origin: str  # the saving workstation's session id (``StoreBackend.origin``)


ChangeListener = Callable[[StoredChange], None]


@runtime_checkable
class StoreBackend(Protocol):
    """An open clinic database: tables, day logs, quarantine notes, read-only state, close.

    ``data_dir`` is the local folder for files that belong to this workstation (settings,
    logs, backups); on the CSV backend it is the data folder itself.
    """

    # Properties, so an implementation may keep them as attributes or compute them.
    @property
    def data_dir(self) -> Path: ...
    @property
    def actor(self) -> str: ...
    @property
    def read_only(self) -> bool: ...
    @property
    def read_only_reason(self) -> str: ...
    @property
    def holds_lock(self) -> bool:
        """This workstation may open devices and record (the folder's one writer; on a server,
        any workstation that is not read-only)."""
    @property
    def held_elsewhere(self) -> bool:
        """Another running program holds the data (a CSV folder's one writer elsewhere; a
        server is never held)."""
    @property
    def can_repair(self) -> bool:
        """File ▸ Repair applies: a CSV folder this process owns."""
    def free_space_warning(self) -> str: ...
    def checkpoint_problems(self) -> list[str]: ...
    @property
    def closed(self) -> bool: ...
    def table(self, spec: TableSpec) -> Any: ...
    def tables(self) -> list[Any]: ...
    def day_log(self, kind: str, model: type[R]) -> Any: ...
    @property
    def quarantine(self) -> list[QuarantinedRow]: ...
    def checkpoint(self) -> None: ...
    def close(self) -> None: ...


@runtime_checkable
class SharedStore(Protocol):
    """What a backend shared by several workstations adds (the PostgreSQL one)."""

    @property
    def origin(self) -> str: ...
    def subscribe_changes(self, listener: ChangeListener) -> Callable[[], None]: ...
    def exclusive(self, *tables: str) -> AbstractContextManager[dict[str, list[str]]]: ...


def exclusive(store: object, *tables: str) -> AbstractContextManager[dict[str, list[str]]]:
    """Hold ``tables`` against writers on other workstations for a check-then-write.

    Yields, per table, the IDs other workstations changed since this one last saw the table
    (already loaded), so an in-memory index can catch up before the check. On the CSV folder
    there is one writer, so nothing is held and nothing has changed.
    """
    if isinstance(store, SharedStore):
        return store.exclusive(*tables)
    return _nothing_changed(tables)


@contextmanager
def _nothing_changed(tables: tuple[str, ...]) -> Iterator[dict[str, list[str]]]:
    yield {name: [] for name in tables}


if TYPE_CHECKING:  # mypy checks that the CSV engine conforms; no runtime cost
    from .daylog import DayLog
    from .store import Store
    from .table import Table

    def _csv_conforms(store: Store, table: Table[Any], log: DayLog[Any]) -> None:
        _store: StoreBackend = store
        _table: TableBackend = table
        _log: DayLogBackend = log


__all__ = ["ChangeListener", "ConcurrentEditError", "DayLogBackend", "SharedStore", "StoreBackend", "StoredChange",
           "TableBackend", "exclusive"]
