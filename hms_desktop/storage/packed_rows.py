"""A table's rows in memory, compactly: one string per row, its cells joined by U+001F.

Why: a tuple of Python strings per row costs ~50 bytes of object header per cell, so at
100,000 patients (23 columns) the cells alone held ~150 MB for ~30 MB of text. One string
per row holds the same text in ~32 MB, and a row is split back into its cells (a tuple,
exactly what was stored) only when it is read: ~1 µs for one record, and a whole column is
cut out of every row with one bounded ``split`` per row (``columns``).

A row whose cells hold the separator itself (any text may be typed) is kept as its tuple,
so every row comes back exactly as it was stored, whatever it holds.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

SEPARATOR = "\x1f"
#: Rows per C-level pass. A pass over all 100,000 rows at once holds the GIL for tens of
#: milliseconds with no bytecode boundary, so the GUI thread could not run while the writer
#: loaded (start-up froze ~0.5 s, bench/startup.py); a slice this size costs a few ms.
SLICE = 8192


def slices(items: Sequence[T]) -> Iterator[Sequence[T]]:
    """``items`` in consecutive slices of ``SLICE`` (between them, other threads may run)."""
    for start in range(0, len(items), SLICE):
        yield items[start:start + SLICE]
Cells = tuple[str, ...]
Packed = str | Cells  # the joined text, or the cells of a row whose text holds SEPARATOR


def pack(cells: Sequence[str]) -> Packed:
    """One row as kept in memory (cells[0] is its ID)."""
    text = SEPARATOR.join(cells)
    return text if text.count(SEPARATOR) == len(cells) - 1 else tuple(cells)


def unpack(row: Packed) -> Cells:
    return tuple(row.split(SEPARATOR)) if type(row) is str else row  # type: ignore[return-value]


class PackedRows:
    """ID -> row, in insertion order, with the read side of a dict of cell tuples.

    Not thread-safe by itself: ``Table`` guards it with its lock as it guarded the dict.
    """

    __slots__ = ("_rows", "_tuples", "width")

    def __init__(self, width: int) -> None:
        self.width = width
        self._rows: dict[str, Packed] = {}
        self._tuples = 0  # rows kept as tuples (their text holds the separator)

    @classmethod
    def of_cells(cls, width: int, rows: Sequence[Cells]) -> PackedRows:
        """From cell tuples keyed by their first cell (a later row of the same ID wins)."""
        packed = cls(width)
        for cells in rows:
            packed[cells[0]] = cells
        return packed

    @classmethod
    def of_packed(cls, width: int, texts: list[str]) -> PackedRows:
        """From joined texts (the rows cache's form: every one holds exactly width - 1 separators)."""
        packed = cls(width)
        for part in slices(texts):
            ids = map(operator.itemgetter(0), map(operator.methodcaller("partition", SEPARATOR), part))  # in C
            packed._rows.update(zip(ids, part, strict=True))
        return packed

    # ------------------------------------------------------------------ dict-like
    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def get(self, record_id: str) -> Cells | None:
        row = self._rows.get(record_id)
        return None if row is None else unpack(row)

    def __getitem__(self, record_id: str) -> Cells:
        return unpack(self._rows[record_id])

    def __setitem__(self, record_id: str, cells: Sequence[str]) -> None:
        row = pack(cells)
        old = self._rows.get(record_id)
        self._tuples += (type(row) is tuple) - (type(old) is tuple)
        self._rows[record_id] = row

    def keys(self) -> list[str]:
        return list(self._rows)

    def values(self) -> list[Cells]:
        """Every row's cells (a tuple per row: for a checkpoint or a full read, not kept)."""
        return [unpack(row) for row in self._rows.values()]

    def items(self) -> list[tuple[str, Cells]]:
        return [(record_id, unpack(row)) for record_id, row in self._rows.items()]

    def packed(self) -> list[Packed]:
        """The rows as kept (for the rows cache: no tuple per row)."""
        return list(self._rows.values())

    # ------------------------------------------------------------------ columns
    def column(self, i: int) -> list[str]:
        if i == self.width - 1 and not self._tuples:  # the last cell (a table's change number)
            return list(map(operator.itemgetter(2), map(operator.methodcaller("rpartition", SEPARATOR),
                                                          self._rows.values())))
        return self.columns([i])[0]

    def columns(self, indexes: Sequence[int], ids: Sequence[str] | None = None) -> list[list[str]]:
        """Cells ``indexes`` of every row in ID order (of the rows ``ids`` when given): the
        leading ones cut from the front of each row, the trailing ones from its back, so a row
        is never split whole; only the wanted cells outlive the row's cut (fewer, smaller
        holes left in the heap)."""
        out: dict[int, list[str]] = {}
        if 0 in indexes:
            out[0] = list(self._rows) if ids is None else list(ids)  # the ID is the key
        rows = list(self._rows.values()) if ids is None else list(map(self._rows.__getitem__, ids))
        front = sorted({i for i in indexes if 0 < i <= self.width // 2})
        if front:
            cut = front[-1] + 1

            def from_front(row: Packed) -> Sequence[str]:
                return row.split(SEPARATOR, cut) if type(row) is str else row

            cut_front = from_front if self._tuples else operator.methodcaller("split", SEPARATOR, cut)
            out.update(zip(front, _picked(rows, cut_front, front), strict=True))
        back = sorted({i for i in indexes if i > self.width // 2})
        if back:
            keep = self.width - back[0]
            at = [i - back[0] + 1 for i in back]  # rsplit(sep, k): [head, cell[width-k], ...]

            def from_back(row: Packed) -> Sequence[str]:
                return row.rsplit(SEPARATOR, keep) if type(row) is str else row[back[0] - 1:]

            cut_back = from_back if self._tuples else operator.methodcaller("rsplit", SEPARATOR, keep)
            out.update(zip(back, _picked(rows, cut_back, at), strict=True))
        return [out[i] for i in indexes]


def _picked(rows: list[Packed], cut: Callable[[Packed], Sequence[str]], at: list[int]) -> list[list[str]]:
    """For each position in ``at``, that cell of every row once cut."""
    picked: list[Any] = []
    for part in slices(rows):
        picked += map(operator.itemgetter(*at), map(cut, part))  # no Python frame per row
    if len(at) == 1:
        return [picked]
    return [[cells[k] for cells in picked] for k in range(len(at))]
