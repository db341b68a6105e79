"""Record IDs by the value of one column: what ``Table.where`` looks rows up in.

Shared by the CSV table and the PostgreSQL table, which keep it the same way: built on the
first ``where`` for a column, then kept current by each write (``move``). IDs sit in a dict
per value (insertion-ordered, so a value's rows come back in the order they were written,
and one ID is dropped in O(1) when its row changes value).
"""

from __future__ import annotations

from collections.abc import Iterable

ValueIndex = dict[str, dict[str, None]]


def build(ids: Iterable[str], cells: Iterable[str]) -> ValueIndex:
    """The index of ``cells`` (the values looked up, lined up with ``ids``).

    At 858,136 record rows the warm-up builds seven of these at open; ``dict.get`` with a
    literal for a new value costs about a third less than ``setdefault`` with a throw-away
    dict per row (bench/record.py).
    """
    index: ValueIndex = {}
    get = index.get
    for record_id, cell in zip(ids, cells, strict=True):
        bucket = get(cell)
        if bucket is None:
            index[cell] = {record_id: None}
        else:
            bucket[record_id] = None
    return index


def move(index: ValueIndex, record_id: str, old: str | None, new: str) -> None:
    """``record_id``'s row now holds ``new`` (``old``: what it held before, None if new)."""
    if old is not None:
        bucket = index.get(old)
        if bucket is not None:
            bucket.pop(record_id, None)
    bucket = index.get(new)
    if bucket is None:
        index[new] = {record_id: None}
    else:
        bucket[record_id] = None
