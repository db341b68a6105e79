"""Telling a barcode scanner from a person: both are keyboards, but a scanner types the whole
ID in a burst and ends it with Enter.

Pure and clock-injected, so it is tested without Qt and reused anywhere a scan should be
caught (the main window's event filter, the Monitor's Start dialog).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

#: Scanners send a character every 1-30 ms; a fast typist rarely holds 60 ms for long.
MAX_GAP_S = 0.05
MIN_LENGTH = 4
#: Our own IDs: three letters and six or more digits (PAT000123, APT000045).
ID_PATTERN = re.compile(r"^[A-Z]{3}\d{6,}$")


@dataclass
class ScanDetector:
    """Feed it every key press; ``enter()`` returns the scanned text when the burst was a scan."""

    clock: Callable[[], float] = time.monotonic
    max_gap_s: float = MAX_GAP_S
    min_length: int = MIN_LENGTH
    pattern: re.Pattern[str] = ID_PATTERN
    _buffer: list[str] = field(default_factory=list)
    _last: float = -1.0

    def key(self, text: str) -> None:
        """One printable character typed (anything else: call ``reset``)."""
        now = self.clock()
        if not text or len(text) != 1 or not text.isprintable():
            self.reset()
            return
        if self._buffer and now - self._last > self.max_gap_s:
            self._buffer.clear()  # a pause: whatever came before was typed by a person
        self._buffer.append(text)
        self._last = now

    def enter(self) -> str | None:
        """Enter pressed: the scan, if the burst was fast, long and shaped like an ID."""
        now = self.clock()
        text = "".join(self._buffer).strip().upper()
        fast = bool(self._buffer) and now - self._last <= self.max_gap_s
        self.reset()
        if fast and len(text) >= self.min_length and self.pattern.match(text):
            return text
        return None

    def reset(self) -> None:
        self._buffer.clear()
        self._last = -1.0

    @property
    def pending(self) -> str:
        return "".join(self._buffer)
