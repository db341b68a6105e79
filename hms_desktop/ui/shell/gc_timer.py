"""Cyclic garbage collection on a GUI-thread timer, never inside a Qt call.

Python's automatic collector runs whenever allocations cross a threshold, which can be in
the middle of a Qt call: a test run hung for 15 minutes when a collection started inside
``QObject::disconnect`` (Qt holding its connection mutex) and a collected QObject's
destructor waited for that mutex (issue 11 item 6). A frozen nurse station shows nothing
and sounds nothing. So automatic collection is switched off and this timer collects from
the event loop, where no Qt call is under way — as pyqtgraph's ``GarbageCollector`` does.
Reference counting still frees everything that is not in a cycle, at once.
"""

from __future__ import annotations

import gc
import logging
import time

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger(__name__)
#: Often enough that cycles never pile up; each pass only collects the generations over
#: their thresholds, so most ticks cost microseconds.
INTERVAL_MS = 1000
#: A full collection longer than this is logged (it blocks the GUI thread that long).
SLOW_COLLECTION_S = 0.05


def collect_due_generations() -> tuple[int, int]:
    """Collect the oldest generation that is over its threshold, as the automatic collector
    would have by now; returns (generation collected or -1, objects freed). Most calls find
    only generation 0 due and cost microseconds; a full collection (~0.1-0.3 s with the app's
    modules loaded) comes about once in a hundred."""
    thresholds = gc.get_threshold()
    counts = gc.get_count()
    for generation in (2, 1, 0):  # collecting a generation collects the younger ones too
        if counts[generation] > thresholds[generation]:
            return generation, gc.collect(generation)
    return -1, 0


class GuiGarbageCollector(QObject):
    """Disables automatic collection while it runs; ``stop()`` restores what it found."""

    def __init__(self, parent: QObject | None = None, *, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self.setObjectName("gui_garbage_collector")
        self._was_enabled = gc.isenabled()
        self.collections = 0
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)

    def start(self) -> None:
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self.check()
        if self._was_enabled:
            gc.enable()

    def check(self) -> int:
        """Collect the generations that are due; returns objects freed."""
        started = time.perf_counter()
        generation, freed = collect_due_generations()
        if generation >= 0:
            self.collections += 1
        took = time.perf_counter() - started
        if took > SLOW_COLLECTION_S:
            log.info("garbage collection took %.0f ms (%d freed)", took * 1000, freed)
        return freed
