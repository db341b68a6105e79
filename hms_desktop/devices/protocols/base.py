"""What every protocol parser and encoder shares.

Parsers are pure: ``feed(bytes) -> list[Reading]``, no I/O, no clock. Any byte sequence is
accepted: a parser never raises, resynchronises on the next valid frame and counts the
bytes it had to throw away in ``dropped_bytes`` (so a wrong baud rate or line noise is
visible, never silent). A frame that is well formed but carries a value no sensor can
produce (``limits.impossible``) is a *bad frame*: dropped, its bytes counted as dropped,
``bad_frames`` incremented and the reason kept in ``rejected`` (the last 20).

Speed (docs/benchmarks.md): the sync search is one C-level ``re.findall`` over the whole
buffer, never a Python loop per byte, and decoded frames are cached by their bytes (live
streams repeat the same frames constantly: same numerics, 128 pleth levels), so a Python
step per frame is only a dictionary lookup done by ``map``.
"""

from __future__ import annotations

import re
import struct
from collections import deque
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

from hms_desktop.devices.protocols.limits import impossible
from hms_desktop.domain.readings import DeviceFlag, Reading

_CACHE_LIMIT = 8192
REJECTED_KEPT = 20


class Parser(Protocol):
    """What the reader thread needs from a parser."""

    dropped_bytes: int
    bad_frames: int
    rejected: deque[str]

    def feed(self, chunk: bytes) -> list[Reading]: ...


class BadFrame:
    """A cached verdict: this frame is well formed but impossible (falsy, so ``filter`` drops it)."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __bool__(self) -> bool:
        return False


Verdict = Reading | BadFrame | None
"""What a frame decodes to: a reading, a bad frame, or None (valid, but carries no reading)."""


def checked(reading: Reading | None) -> Verdict:
    """``reading`` unless a value in it is impossible (then a BadFrame saying which)."""
    if reading is None:
        return None
    reason = impossible(reading)
    return reading if reason is None else BadFrame(reason)


def judged(parse: Callable[[], Reading | None]) -> Verdict:
    """What ``parse()`` gives, a BadFrame with its ValueError's message, or one naming an impossible value."""
    try:
        reading = parse()
    except UnicodeDecodeError:
        return BadFrame("bytes that are not ASCII text")
    except (ValueError, struct.error) as exc:
        return BadFrame(str(exc))
    return checked(reading)


class ParserStats:
    """The counters every parser keeps for the reader's statistics."""

    def __init__(self) -> None:
        self.dropped_bytes = 0
        self.bad_frames = 0
        self.rejected: deque[str] = deque(maxlen=REJECTED_KEPT)

    def _bad(self, size: int, reason: str) -> None:
        self.bad_frames += 1
        self.dropped_bytes += size
        self.rejected.append(reason)


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


_UNSEEN = BadFrame("not judged yet")  # identity sentinel for a cache miss


Key = TypeVar("Key", bytes, int)


class VerdictCache(Generic[Key]):
    """Verdicts by frame bytes, looked up for a whole batch of frames at C speed.

    Live streams repeat the same frames constantly (same numerics, 128 pleth levels), so
    after the first second a batch costs one ``map`` over a dict; only new frames are
    judged. Bad frames are remembered apart, so a batch without one is never scanned.
    """

    def __init__(self, judge: Callable[[Key], Verdict]) -> None:
        self._judge: Callable[[Key], Verdict] = judge
        self._cache: dict[Key, Verdict] = {}
        self._bad: set[Key] = set()

    def lookup(self, frames: list[Key]) -> list[Verdict]:
        cache = self._cache
        try:
            return list(map(cache.__getitem__, frames))
        except KeyError:
            pass
        missing = set(frames).difference(cache)
        if len(cache) + len(missing) > _CACHE_LIMIT:
            cache.clear()
            self._bad.clear()
            missing = set(frames)
        for frame in missing:
            verdict = cache[frame] = self._judge(frame)
            if isinstance(verdict, BadFrame):
                self._bad.add(frame)
        return list(map(cache.__getitem__, frames))

    def one(self, frame: Key) -> Verdict:
        verdict = self._cache.get(frame, _UNSEEN)
        if verdict is _UNSEEN:
            return self.lookup([frame])[0]
        return verdict

    def bad_among(self, frames: list[Key]) -> list[tuple[Key, str]]:
        """(frame, reason) for each bad frame in ``frames``, in order (usually none: fast)."""
        bad = self._bad
        if not bad or bad.isdisjoint(frames):
            return []
        return [(f, self._cache[f].reason) for f in frames if f in bad]  # type: ignore[union-attr]


class FrameParser(ParserStats):
    """Parser for binary frames whose layout a regular expression can recognise.

    ``frame_re`` matches one complete, well-formed frame and starts with the protocol's
    sync byte, which occurs nowhere else in a frame; ``prefix_re`` fully matches a tail that
    could still grow into one. ``findall`` resynchronises for free: whatever lies between
    two matches is dropped and counted.
    """

    frame_re: re.Pattern[bytes]
    prefix_re: re.Pattern[bytes]
    max_frame: int
    frame_size = 0  # bytes in every frame, 0 where lengths vary
    frames_without_reading = False  # True where some valid frames carry no reading (decode -> None)
    _tail_re: re.Pattern[bytes]

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        if "prefix_re" in cls.__dict__:
            cls._tail_re = re.compile(cls.prefix_re.pattern + rb"\Z", cls.prefix_re.flags)

    def __init__(self) -> None:
        super().__init__()
        self._pending = b""
        self._verdicts: VerdictCache[bytes] = VerdictCache(lambda frame: checked(self.decode(frame)))

    @property
    def pending_bytes(self) -> int:
        """Bytes held back as the start of a frame not yet complete."""
        return len(self._pending)

    def decode(self, frame: bytes) -> Reading | None:
        """One matched frame to a Reading (None for a valid frame that carries no reading)."""
        raise NotImplementedError

    def feed(self, chunk: bytes) -> list[Reading]:
        buf = self._pending + chunk if self._pending else bytes(chunk)
        frames: list[bytes] = self.frame_re.findall(buf)
        end = framed = 0
        if frames:
            # The sync byte occurs once per frame, so the last match is the last occurrence.
            last = frames[-1]
            end = buf.rfind(last) + len(last)
            framed = len(frames) * self.frame_size if self.frame_size else sum(map(len, frames))
        tail = self._tail_re.search(buf, max(end, len(buf) - self.max_frame + 1))
        keep = len(buf) if tail is None else tail.start()
        self._pending = buf[keep:]
        self.dropped_bytes += keep - framed
        if not frames:
            return []
        verdicts = self._verdicts.lookup(frames)
        bad = self._verdicts.bad_among(frames)
        if not bad and not self.frames_without_reading:
            return verdicts  # type: ignore[return-value]  # every verdict is a Reading
        for frame, reason in bad:
            self._bad(len(frame), f"bad frame {frame.hex(' ')}: {reason}")
        return list(filter(None, verdicts))  # type: ignore[arg-type]


def keep_tail(
    buf: bytes, pos: int, max_frame: int, is_prefix: Callable[[bytes, int], object]
) -> int:
    """Where the unfinished frame at the end of ``buf`` starts (``len(buf)`` if none)."""
    n = len(buf)
    for start in range(max(pos, n - max_frame + 1), n):
        if is_prefix(buf, start):
            return start
    return n


class LineParser(ParserStats):
    """Parser for text protocols with one record per line (CR LF or LF).

    A line that does not validate (unreadable, or a value no sensor can produce) is a bad
    frame: dropped whole, counted, and its reason kept in ``rejected`` naming the line and
    the field, so a user can see why a device is ignored. Verdicts are cached by
    ``cache_key(line)``: a subclass returns the part of a line that decides its reading
    (Masimo: everything after the timestamp).
    """

    max_line = 1024
    errors = "strict"  # how to decode bytes; "replace" where a record marker makes noise harmless

    def __init__(self) -> None:
        super().__init__()
        self._pending = b""
        self.lines = 0
        self._cache: dict[bytes, Verdict] = {}

    @property
    def pending_bytes(self) -> int:
        return len(self._pending)

    def parse_line(self, line: str) -> Reading:
        """One line without its end-of-line; raises ValueError naming the bad field."""
        raise NotImplementedError

    def cache_key(self, body: bytes) -> bytes:
        return body

    def feed(self, chunk: bytes) -> list[Reading]:
        buf = self._pending + bytes(chunk)
        lines = buf.split(b"\n")
        tail = lines.pop()
        if len(tail) > self.max_line:
            self._bad(len(tail), f"no end of line after {len(tail)} bytes")
            tail = b""
        self._pending = tail
        out: list[Reading] = []
        for raw in lines:
            self.lines += 1
            body = raw[:-1] if raw.endswith(b"\r") else raw
            if not body.strip():
                continue  # blank lines separate records; nothing is lost
            verdict = self._verdict(body)
            if verdict:
                out.append(verdict)  # type: ignore[arg-type]
            else:
                self._bad(len(raw) + 1, f"line {self.lines}: {verdict.reason}")  # type: ignore[union-attr]
        return out

    def _verdict(self, body: bytes) -> Verdict:
        if len(body) > self.max_line:
            return BadFrame(f"longer than {self.max_line} bytes")
        key = self.cache_key(body)
        verdict = self._cache.get(key)
        if verdict is None:
            verdict = judged(lambda: self.parse_line(body.decode("ascii", self.errors)))
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[key] = verdict
        return verdict
