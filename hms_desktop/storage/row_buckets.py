"""Key -> rows, compactly: an ``int`` for a key held by one row, a list only when shared.

The duplicate check's blocking keys (date of birth, phone, the sound of a name) map 100,000
patients onto mostly one-row keys; a ``set`` per key cost ~216 bytes each (~45 MB at
100,000 patients), an int costs none beyond the dict's slot.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class RowBuckets(Generic[K]):
    __slots__ = ("_map",)

    def __init__(self) -> None:
        self._map: dict[K, int | list[int]] = {}

    @classmethod
    def of(cls, keys: Iterable[K], *, skip: K | None = None) -> RowBuckets[K]:
        """Row ``n`` under the ``n``-th key (rows in ascending order, as built at load);
        a key equal to ``skip`` is not held."""
        buckets: RowBuckets[K] = cls()
        found = buckets._map
        for row, key in enumerate(keys):
            if key == skip:
                continue
            held = found.get(key)
            if held is None:
                found[key] = row
            elif type(held) is int:
                found[key] = [held, row]
            else:
                held.append(row)  # type: ignore[union-attr]
        return buckets

    def __len__(self) -> int:
        return len(self._map)

    def get(self, key: K) -> tuple[int, ...] | list[int]:
        held = self._map.get(key)
        if held is None:
            return ()
        return (held,) if type(held) is int else held  # type: ignore[return-value]

    def gather(self, keys: Iterable[K]) -> list[int]:
        """The rows under any of ``keys`` (each once when ``keys`` are distinct and each row
        has one key, as for dates of birth): one call, without a tuple per key."""
        found = self._map
        rows: list[int] = []
        for key in keys:
            held = found.get(key)
            if held is None:
                continue
            if type(held) is int:
                rows.append(held)
            else:
                rows.extend(held)  # type: ignore[arg-type]
        return rows

    def add(self, key: K, row: int) -> None:
        held = self._map.get(key)
        if held is None:
            self._map[key] = row
        elif type(held) is int:
            if held != row:
                self._map[key] = [held, row]
        elif row not in held:  # type: ignore[operator]
            held.append(row)  # type: ignore[union-attr]

    def discard(self, key: K, row: int) -> None:
        held = self._map.get(key)
        if held is None:
            return
        if type(held) is int:
            if held == row:
                del self._map[key]
        elif row in held:  # type: ignore[operator]
            held.remove(row)  # type: ignore[union-attr]
            if len(held) == 1:  # type: ignore[arg-type]
                self._map[key] = held[0]  # type: ignore[index]
