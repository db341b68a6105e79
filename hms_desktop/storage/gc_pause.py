"""Pausing the cyclic garbage collector while a table's rows are made."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Loading 100,000 rows makes millions of strings and tuples, none of which can form a
    cycle; the collector's repeated scans of them cost a third of a cold open (bench/storage.py).
    Reference counting still frees everything as usual; the previous state is restored."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
