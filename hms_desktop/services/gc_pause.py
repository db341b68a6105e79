"""Loading big tables without long garbage-collector pauses (measured in bench/startup.py)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from hms_desktop.storage.gc_pause import collector_paused


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while tables load, then freeze what was loaded.

    Loading 100,000 rows creates millions of objects; each full collection then walks all of
    them while holding the GIL, which froze the GUI thread for up to half a second at a time
    (bench/startup.py). Loaded rows live as long as the session, so after loading they are
    moved out of the collector's sight (``gc.freeze``): later collections, e.g. during live
    monitoring, stay short. Plain reference counting still frees everything as usual.
    """
    try:
        with collector_paused():
            yield
    finally:
        gc.freeze()
