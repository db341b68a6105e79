"""What a workstation is told when the server or another workstation gets in the way."""

from __future__ import annotations

from datetime import datetime
from typing import Any


class ServerUnavailableError(RuntimeError):
    """The PostgreSQL server could not be reached (after retrying); nothing was saved."""


class ConcurrentEditError(RuntimeError):
    """An update of a record another workstation changed since this one read it.

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
