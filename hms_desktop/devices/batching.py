"""Batching and silence detection shared by the serial and the BLE readers.

A reader thread adds readings as they are parsed; ``take`` hands them over at most
``max_per_s`` times a second (the display redraws at 30 Hz: more signals would only cost
CPU on the GUI thread), and ``silent`` says when no reading has come for too long.
"""

from __future__ import annotations

from hms_desktop.domain.readings import Reading


class BatchGate:
    def __init__(self, no_data_after_s: float, now: float, *, max_per_s: int = 30) -> None:
        self.period_s = 1.0 / max_per_s
        self.no_data_after_s = no_data_after_s
        self._batch: list[Reading] = []
        self._last_emit = now
        self._last_reading = now

    def add(self, readings: list[Reading], now: float) -> None:
        if readings:
            self._batch.extend(readings)
            self._last_reading = now

    def until_due(self, now: float) -> float:
        """Seconds until the next batch may go out (0 if it may go now)."""
        return max(0.0, self.period_s - (now - self._last_emit))

    def take(self, now: float) -> tuple[Reading, ...] | None:
        """The readings collected so far if a batch is due, else None."""
        if not self._batch or now - self._last_emit < self.period_s * 0.95:
            return None
        batch = tuple(self._batch)
        self._batch.clear()
        self._last_emit = now
        return batch

    def silent(self, now: float) -> bool:
        return now - self._last_reading > self.no_data_after_s
