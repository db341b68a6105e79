"""Reading rows that may not all be valid.

The engine checks column types at load, but a value that passes its column and fails a
model rule (a hand-edited pulse of 400 in observations.csv) only surfaces as a
``ValidationError`` when the model is built. One such row must not blank a patient's
whole list: these helpers return the readable rows plus a message per unreadable one,
so the page shows both (and ``check`` reports the row too).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from hms_desktop.storage import Table

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Unreadable:
    record_id: str
    reason: str

    def __str__(self) -> str:
        return f"{self.record_id}: {self.reason}"


def _reason(exc: ValidationError) -> str:
    return "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())


def each_readable(table: Table[Any], ids: Iterable[str]) -> tuple[list[Any], list[Unreadable]]:
    good: list[Any] = []
    bad: list[Unreadable] = []
    for record_id in ids:
        try:
            model = table.get(record_id)
        except ValidationError as exc:
            bad.append(Unreadable(record_id, _reason(exc)))
            continue
        if model is not None:
            good.append(model)
    for item in bad:
        log.warning("%s row %s cannot be read: %s", table.spec.name, item.record_id, item.reason)
    return good, bad


FUTURE_SLACK = timedelta(minutes=5)  # clocks of two workstations differ a little


def check_not_future(at: datetime, what: str) -> None:
    """A reading dated ahead of now is a typo in the date (the form offers "now")."""
    if at > datetime.now(UTC) + FUTURE_SLACK:
        raise ValueError(f"time: {what} dated {at.astimezone().strftime('%Y-%m-%d %H:%M')} "
                         "is in the future")


def where_readable(table: Table[Any], column: str, value: str) -> tuple[list[Any], list[Unreadable]]:
    """``table.where`` that survives invalid rows (the slow path runs only when one exists)."""
    try:
        return table.where(column, value), []
    except ValidationError:
        frame = table.frame([column])
        return each_readable(table, frame.index[frame[column] == value].tolist())


def all_readable(table: Table[Any]) -> tuple[list[Any], list[Unreadable]]:
    try:
        return table.all(), []
    except ValidationError:
        return each_readable(table, table.ids())
