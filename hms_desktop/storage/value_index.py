"""Record IDs by the value of one column: what ``Table.where`` looks rows up in.

Shared by the CSV table and the PostgreSQL table, which keep it the same way: built on the
first ``where`` for a column (the record service builds its ``patient_id`` ones while the
folder opens), then kept current by each write (``move``).

Built as two numpy arrays rather than a dict of IDs per value: the values sorted (bytes when
they are ASCII) and the row each came from. At 858,136 record rows over seven tables a dict
per patient cost ~0.6 s and ~90 MB at every open; the arrays cost about a third of the time
and a tenth of the memory (bench/record.py). Writes after the build go to a small dict on the
side, and a record that changed value is masked out of the arrays, so a value's IDs still come
back in the order they were written (a changed record last, as a dict re-insertion would).
Values too long or too odd for a fixed-width array (over ``_WIDEST`` characters, or holding
NUL, which numpy strips from the end of a value) are kept in the side dict alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_WIDEST = 64  # a fixed-width array holds every value at the longest one's width


class ValueIndex:
    __slots__ = ("_added", "_ids", "_keys", "_moved", "_order")

    def __init__(self, ids: Sequence[str], values: Sequence[str]) -> None:
        """The index of ``values`` (lined up with ``ids``, in the order the rows were written)."""
        self._ids = list(ids)
        self._moved: set[str] = set()  # IDs in the arrays whose value has changed since
        self._added: dict[str, dict[str, None]] = {}  # value -> IDs written (or moved) since
        self._keys: np.ndarray | None = None
        self._order: np.ndarray | None = None
        if not values:
            return
        if max(map(len, values)) > _WIDEST or "\0" in "".join(values):
            self._ids = []
            for record_id, value in zip(ids, values, strict=True):
                self._add(record_id, value)
            return
        try:
            keys = np.array(values, dtype=np.bytes_)  # ASCII (IDs, codes, dates): 1 byte a character
        except UnicodeEncodeError:
            keys = np.array(values, dtype=np.str_)
        self._order = np.argsort(keys, kind="stable")  # stable: a value's rows stay in written order
        self._keys = keys[self._order]

    def get(self, value: str) -> list[str]:
        """The IDs whose value is ``value``, in the order they were written."""
        found = [self._ids[row] for row in self._array_rows(value)]
        if self._moved and found:
            found = [record_id for record_id in found if record_id not in self._moved]
        added = self._added.get(value)
        if added:
            found += added
        return found

    def _array_rows(self, value: str) -> list[int]:
        keys, order = self._keys, self._order
        if keys is None or order is None or "\0" in value:
            return []  # the arrays hold no value with NUL (numpy would match it without its NULs)
        key: bytes | str
        if keys.dtype.kind == "S":
            try:
                key = value.encode("ascii")
            except UnicodeEncodeError:
                return []  # an ASCII array holds no such value
            width = keys.dtype.itemsize
        else:
            key, width = value, keys.dtype.itemsize // 4
        if len(key) > width:
            return []  # numpy would cut it to the width and find a shorter value
        lo, hi = np.searchsorted(keys, key, "left"), np.searchsorted(keys, key, "right")
        rows: list[int] = order[lo:hi].tolist()
        return rows

    def move(self, record_id: str, old: str | None, new: str) -> None:
        """``record_id``'s row now holds ``new`` (``old``: what it held before, None if new)."""
        if old is not None:
            added = self._added.get(old)
            if added is not None and record_id in added:
                del added[record_id]
                if not added:
                    del self._added[old]
            elif self._keys is not None:
                self._moved.add(record_id)  # it is in the arrays, under ``old``
        self._add(record_id, new)

    def _add(self, record_id: str, value: str) -> None:
        added = self._added.get(value)
        if added is None:
            self._added[value] = {record_id: None}
        else:
            added[record_id] = None

