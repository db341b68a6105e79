"""What every protocol parser and encoder shares.

Parsers are pure: ``feed(bytes) -> list[Reading]``, no I/O, no clock. Any byte sequence is
accepted: a parser never raises, resynchronises on the next valid frame and counts the
bytes it had to throw away in ``dropped_bytes`` (so a wrong baud rate or line noise is
visible, never silent).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from typing import Protocol

from hms_desktop.domain.readings import DeviceFlag, Reading

# A decoded frame is immutable, and live streams repeat the same frame bytes constantly
# (same SpO2, PR and flags; 128 pleth levels), so a small cache of bytes -> Reading makes
# parsing several times faster without changing what is produced.
_CACHE_LIMIT = 8192


class Parser(Protocol):
    """What the reader thread needs from a parser."""

    dropped_bytes: int

    def feed(self, chunk: bytes) -> list[Reading]: ...


class Encoder(Protocol):
    """Turns one Reading into the bytes a device would send for it (simulator, tests)."""

    def encode(self, reading: Reading) -> bytes: ...


def clamp(value: int, low: int, high: int) -> int:
    return low if value < low else high if value > high else value


BitFlags = tuple[tuple[int, DeviceFlag], ...]
"""A protocol's status bits: (mask, flag) pairs; several bits may map to one flag."""


def flags_from_bits(value: int, table: BitFlags) -> frozenset[DeviceFlag]:
    return frozenset(flag for mask, flag in table if value & mask)


def bits_from_flags(flags: frozenset[DeviceFlag], table: BitFlags) -> int:
    """The bits an encoder sets: for each flag, the first mask listed for it."""
    bits = 0
    for flag in flags:
        bits |= next((mask for mask, f in table if f == flag), 0)
    return bits


def pleth_level(reading: Reading, top: int) -> int:
    """The first pleth sample of ``reading`` on the device's native 0..top scale."""
    sample = reading.pleth[0] if reading.pleth else 0.0
    return clamp(round(sample * top), 0, top)


class FrameParser:
    """Parser for binary frames whose layout a regular expression can recognise.

    ``frame_re`` matches one complete, valid frame; ``prefix_re`` fully matches a tail that
    could still grow into one. Scanning with ``finditer`` resynchronises for free: whatever
    lies between two matches is dropped and counted.
    """

    frame_re: re.Pattern[bytes]
    prefix_re: re.Pattern[bytes]
    max_frame: int

    def __init__(self) -> None:
        self._pending = b""
        self._cache: dict[bytes, Reading | None] = {}
        self.dropped_bytes = 0

    @property
    def pending_bytes(self) -> int:
        """Bytes held back as the start of a frame not yet complete."""
        return len(self._pending)

    def decode(self, frame: bytes) -> Reading | None:
        """One matched frame to a Reading (None for a valid frame that carries no reading)."""
        raise NotImplementedError

    def feed(self, chunk: bytes) -> list[Reading]:
        buf = self._pending + bytes(chunk)
        out: list[Reading] = []
        cache = self._cache
        pos = 0
        dropped = 0
        for match in self.frame_re.finditer(buf):
            start = match.start()
            dropped += start - pos
            frame = match.group()
            reading = cache.get(frame, _MISSING)
            if reading is _MISSING:
                if len(cache) >= _CACHE_LIMIT:
                    cache.clear()
                reading = cache[frame] = self.decode(frame)
            if reading is not None:
                out.append(reading)
            pos = match.end()
        keep = keep_tail(buf, pos, self.max_frame, self.prefix_re.fullmatch)
        self.dropped_bytes += dropped + keep - pos
        self._pending = buf[keep:]
        return out


_MISSING: Reading | None = Reading()  # identity sentinel for cache misses


def keep_tail(
    buf: bytes, pos: int, max_frame: int, is_prefix: Callable[[bytes, int], object]
) -> int:
    """Where the unfinished frame at the end of ``buf`` starts (``len(buf)`` if none)."""
    n = len(buf)
    for start in range(max(pos, n - max_frame + 1), n):
        if is_prefix(buf, start):
            return start
    return n


class LineParser:
    """Parser for text protocols with one record per line (CR LF or LF).

    A line that does not validate is dropped whole, counted in ``dropped_bytes`` and its
    reason kept in ``rejected`` (the last few), so a user can see why a device is ignored.
    """

    max_line = 1024
    errors = "strict"  # how to decode bytes; "replace" where a record marker makes noise harmless

    def __init__(self) -> None:
        self._pending = b""
        self.dropped_bytes = 0
        self.lines = 0
        self.rejected: deque[str] = deque(maxlen=20)

    @property
    def pending_bytes(self) -> int:
        return len(self._pending)

    def parse_line(self, line: str) -> Reading:
        """One line without its end-of-line; raises ValueError naming the bad field."""
        raise NotImplementedError

    def feed(self, chunk: bytes) -> list[Reading]:
        buf = self._pending + bytes(chunk)
        *lines, tail = buf.split(b"\n")
        if len(tail) > self.max_line:
            self._reject(len(tail), f"no end of line after {len(tail)} bytes")
            tail = b""
        self._pending = tail
        out: list[Reading] = []
        for raw in lines:
            self.lines += 1
            body = raw.rstrip(b"\r")
            if not body.strip():
                continue  # blank lines separate records; nothing is lost
            try:
                out.append(self.parse_line(body.decode("ascii", self.errors)))
            except UnicodeDecodeError:
                self._reject(len(raw) + 1, f"line {self.lines}: bytes that are not ASCII text")
            except ValueError as exc:
                self._reject(len(raw) + 1, f"line {self.lines}: {exc}")
        return out

    def _reject(self, size: int, reason: str) -> None:
        self.dropped_bytes += size
        self.rejected.append(reason)
