"""The tamper-evident audit chain: ``audit/YYYY-MM-DD.csv``, beside the files it covers.

Every line the engine appends to a journal, a day file (vitals, alarms, wearables) or the
access log is recorded here as a short SHA-256 digest, in the order written, and each entry
carries a SHA-256 over the previous entry's and its own cells. The data files stay exactly
as they were (spreadsheets and older readers are unaffected); ``audit_verify`` reads both
and names every line edited, deleted, inserted or reordered and every file cut short or
removed. Checkpoints are not chained (they are rewritten; the manifest keeps their CRC):
the chain covers the journals, which the checkpoint's rotation moves into ``history/``
(a ``rotate`` entry), so history lines stay covered.

Crash safety: an entry is written *before* its lines, under one lock, so a ``kill -9`` can
only leave the last entry without (all of) its lines — never a line without an entry. The
next open checks that last entry and, when its lines are not at the end of its file,
records a ``void`` entry ("never written"); ``verify`` treats an unvoided last entry the
same way. Entries are written to the OS cache without their own fsync (the data line's
fsync is what "saved" waits for); the chain is fsynced before the manifest anchors it, at
every new day file and at close. After a power cut the last lines written since then may
be named as "not in the audit chain" (docs/storage.md).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .csvfile import (
    BOM,
    FILE_MODE,
    AppendFile,
    TornLineFn,
    cut_torn_tail,
    format_header,
    format_line,
    fsync_dir,
    make_dir,
)

CHAIN_DIR = "audit"
COLUMNS = ("n", "at", "event", "file", "detail", "chain")
GENESIS = "0" * 64
ADOPT_CHUNK = 4096  # line digests per "adopt" entry: one entry stays a readable size

# Events. ``detail`` holds the space-separated line digests (append, new, adopt), the new name
# (rotate), the entry number voided (void) or a sentence (start, accept, close).
APPEND, NEW, ADOPT, ACCEPT = "append", "new", "adopt", "accept"
ROTATE, VOID, START, CLOSE = "rotate", "void", "start", "close"
_NO_ESCAPING = (False,) * len(COLUMNS)


def line_digest(line: bytes) -> str:
    """64 bits of SHA-256 of one physical line (without its newline): enough to tell any edit."""
    return hashlib.sha256(line).hexdigest()[:16]


def line_digests(data: bytes) -> list[str]:
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return [line_digest(line) for line in lines]


def link(previous: str, cells: tuple[str, ...]) -> str:
    """The chain hash of an entry: over the previous entry's hash and this entry's cells."""
    return hashlib.sha256("\x1f".join((previous, *cells)).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Entry:
    n: int
    at: str
    event: str
    file: str
    detail: str
    chain: str
    where: str = ""  # audit/<day>.csv:<line>, for messages

    @property
    def cells(self) -> tuple[str, ...]:
        return (str(self.n), self.at, self.event, self.file, self.detail)


def chain_files(data_dir: Path) -> list[Path]:
    folder = Path(data_dir) / CHAIN_DIR
    return sorted(folder.glob("????-??-??.csv")) if folder.is_dir() else []


def read_entries(path: Path) -> Iterator[Entry | tuple[int, str]]:
    """Entries of one chain file; ``(line, raw)`` for a line that is not an entry."""
    text = path.read_bytes().decode("utf-8", "replace").removeprefix(BOM)
    name = f"{CHAIN_DIR}/{path.name}"
    for number, raw in enumerate(text.split("\n")[1:], start=2):
        if not raw:
            continue
        try:
            cells = raw.split(",") if '"' not in raw else next(csv.reader([raw], strict=True))
            if len(cells) != len(COLUMNS):
                raise ValueError(raw)
            yield Entry(int(cells[0]), cells[1], cells[2], cells[3], cells[4], cells[5], f"{name}:{number}")
        except (csv.Error, ValueError, IndexError, StopIteration):
            yield number, raw


def _tail_lines(path: Path, wanted: int) -> tuple[list[bytes], bytes]:
    """At least ``wanted`` complete lines from the end of a file (fewer if it has fewer), and
    the bytes after its last newline. Reads from the end: chain and day files grow large."""
    size = path.stat().st_size
    chunk = 1 << 16
    while True:
        start = max(0, size - chunk)
        with open(path, "rb") as handle:
            handle.seek(start)
            data = handle.read()
        lines = data.split(b"\n")
        after = lines.pop()  # empty, or a line torn by a crash
        if start > 0:
            lines = lines[1:]  # may begin mid-line
        if len(lines) >= wanted or start == 0:
            return lines, after
        chunk *= 4


def _last_entry(path: Path) -> Entry | None:
    """The last complete entry of a chain file."""
    wanted = 1
    while True:
        lines, _ = _tail_lines(path, wanted)
        for raw in reversed(lines):
            try:
                cells = next(csv.reader([raw.decode("utf-8")], strict=True))
                return Entry(int(cells[0]), cells[1], cells[2], cells[3], cells[4], cells[5])
            except (csv.Error, ValueError, IndexError, StopIteration, UnicodeDecodeError):
                continue
        if len(lines) < wanted:
            return None  # the whole file was read
        wanted = len(lines) * 4


def _tail_digests(path: Path, count: int) -> list[str]:
    """Digests of the last ``count`` complete lines of a file ([] if it ends mid-line)."""
    lines, after = _tail_lines(path, count)
    if after or not count:
        return []
    return [line_digest(line) for line in lines[-count:]]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class AuditChain:
    """The writer of one folder's chain (thread-safe). ``None`` of it exists read-only."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.folder = self.data_dir / CHAIN_DIR
        self.lock = threading.RLock()
        self._fd = -1
        self._day = ""
        self._n = 0
        self._head = GENESIS
        self._dirty = False
        self._size = 0  # of today's chain file: a failed write is cut back to it
        self._names: dict[Path, str] = {}
        self._staging = False  # the first entries go to a file renamed into place (``_start``)
        #: What opening found (an interrupted write voided, the chain started), for ``check``
        self.notes: list[str] = []
        self._open()

    # ------------------------------------------------------------------ opening
    def _open(self) -> None:
        files = chain_files(self.data_dir)
        last = None
        for path in reversed(files):
            last = _last_entry(path)
            if last is not None:
                break
        if last is None:
            self._start()
            return
        self._n, self._head = last.n, last.chain
        self._day = files[-1].stem if files else ""  # the file the chain goes on in (opened on use)
        if files:
            cut_torn_tail(files[-1])  # a chain entry torn by a crash: its lines were never written
        self._settle_interrupted(last)

    def _settle_interrupted(self, last: Entry) -> None:
        """A crash between an entry and its lines: the lines were never written (nor saved)."""
        if last.event in (APPEND, NEW):
            path = self.data_dir / last.file
            digests = last.detail.split()
            if not path.exists() or _tail_digests(path, len(digests)) != digests:
                self._write(VOID, last.file, str(last.n))
                self.notes.append(f"{last.file}: the last write was interrupted (audit entry {last.n}); "
                                  "it was never saved")
        elif last.event == ROTATE and not (self.data_dir / last.detail).exists():
            self._write(VOID, last.file, str(last.n))
        self.sync()

    def _start(self) -> None:
        """A new folder, or one written before the chain: adopt what is there and say from when.

        Written aside and renamed into place: a crash half-way through adopting a large folder
        leaves no chain (the next open starts again), never a chain that lacks some files."""
        existing = list(chained_files(self.data_dir))
        reason = ("chain started; lines written before this were not chained" if existing
                  else "chain started with the folder")
        day = _now()[:10]
        final = self.folder / f"{day}.csv"
        staging = final.with_name(final.name + ".tmp")
        make_dir(self.folder)
        staging.unlink(missing_ok=True)
        self._open_day(day, staging)
        self._write(START, "", reason)
        for path in existing:
            self._adopt(path)
        os.fsync(self._fd)
        os.close(self._fd)
        self._fd, self._day, self._dirty = -1, "", False
        os.replace(staging, final)
        fsync_dir(self.folder)
        if existing:
            self.notes.append(f"audit chain started: {len(existing)} existing file(s) adopted as they are")

    def _adopt(self, path: Path) -> None:
        digests = line_digests(path.read_bytes())
        name = path.relative_to(self.data_dir).as_posix()
        for k in range(0, max(len(digests), 1), ADOPT_CHUNK):
            self._write(ADOPT, name, " ".join(digests[k:k + ADOPT_CHUNK]))

    # ------------------------------------------------------------------ writing
    def _write(self, event: str, file: str, detail: str) -> int:
        """Append one entry to today's chain file (to the OS cache; see ``sync``)."""
        at = _now()
        # Never back into an earlier day's file (a clock set back): verify reads them in date order.
        day = max(at[:10], self._day)
        if self._fd < 0 or day > self._day and not self._staging:
            self._open_day(day)
        n = self._n + 1
        cells = (str(n), at, event, file, detail)
        chain = link(self._head, cells)
        plain = not any(c in detail for c in ',"\r\n') and "," not in file
        text = ",".join((*cells, chain)) + "\n" if plain else format_line((*cells, chain), _NO_ESCAPING)
        data = text.encode("utf-8")
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view):]
        except OSError:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, self._size)
            raise
        self._n, self._head, self._dirty = n, chain, True
        self._size += len(data)
        return n

    def abandon(self) -> None:
        """Drop the day file's handle without a closing entry (``Store.abandon``)."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def _open_day(self, day: str, staging: Path | None = None) -> None:
        if self._fd >= 0:
            os.fsync(self._fd)
            os.close(self._fd)
        make_dir(self.folder)
        self._staging = staging is not None
        path = staging or self.folder / f"{day}.csv"
        existed = path.exists()
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        if not existed or os.fstat(self._fd).st_size == 0:
            if os.name != "nt":
                os.fchmod(self._fd, FILE_MODE)
            os.write(self._fd, (BOM + format_header(COLUMNS)).encode("utf-8"))
            os.fsync(self._fd)
            fsync_dir(self.folder)
        self._size = os.fstat(self._fd).st_size
        self._day = day

    def record(self, path: Path, data: bytes, *, new: bool = False) -> int:
        """Record the lines about to be appended to ``path`` (call with ``lock`` held);
        ``new``: the file is empty, so it starts here (a file removed earlier is noticed)."""
        return self._write(NEW if new else APPEND, self._name(path), " ".join(line_digests(data)))

    def void(self, path: Path, n: int) -> None:
        """Entry ``n``'s lines were not written after all (the append failed and was undone)."""
        with contextlib.suppress(OSError):  # if even this fails, the next open voids it
            self._write(VOID, self._name(path), str(n))

    def move(self, source: Path, target: Path, rename: Callable[[], None]) -> None:
        """A journal moving into ``history/`` (a checkpoint): its lines stay chained there."""
        with self.lock:
            n = self._write(ROTATE, self._name(source), self._name(target))
            try:
                rename()
            except OSError:
                self.void(source, n)
                raise

    def accept(self, paths: list[Path], reason: str) -> None:
        """A person accepted these files as they are now (Repair): the chain holds them anew."""
        with self.lock:
            for path in paths:
                name = f"{CHAIN_DIR}/" if path == self.folder else self._name(path)
                self._write(ACCEPT, name, reason)
                if path.is_file():
                    self._adopt(path)
            self.sync()

    def sync(self) -> None:
        with self.lock:
            if self._fd >= 0 and self._dirty:
                os.fsync(self._fd)
                self._dirty = False

    def anchor(self) -> dict[str, Any]:
        """What the manifest records: the chain is at least this long and ends so."""
        with self.lock:
            self.sync()
            return {"entries": self._n, "head": self._head}

    def close(self) -> None:
        with self.lock:
            if self._fd < 0:
                return
            with contextlib.suppress(OSError):
                self._write(CLOSE, "", "closed")
                os.fsync(self._fd)
            os.close(self._fd)
            self._fd = -1

    def _name(self, path: Path) -> str:
        """``path`` relative to the folder, as the chain names it (cached: resolving costs syscalls)."""
        name = self._names.get(path)
        if name is None:
            name = Path(path).resolve().relative_to(self.data_dir.resolve()).as_posix()
            if len(self._names) > 1000:
                self._names.clear()
            self._names[path] = name
        return name


def chained_files(data_dir: Path) -> Iterator[Path]:
    """Every file the chain covers: journals, history, and day files of any kind."""
    data_dir = Path(data_dir)
    yield from sorted(data_dir.glob("*.journal.csv"))
    yield from sorted(data_dir.glob("history/*.journal.csv"))
    for folder in sorted(p for p in data_dir.iterdir() if p.is_dir()) if data_dir.is_dir() else []:
        if folder.name not in NOT_DAY_FILES:
            yield from sorted(folder.glob("????-??-??.csv"))


# Folders whose dated files are not day files of data.
NOT_DAY_FILES = frozenset({CHAIN_DIR, "history", "quarantine", "repair", "backups-before-upgrade"})


class ChainedAppendFile(AppendFile):
    """An ``AppendFile`` whose every append is recorded in the chain first (header included)."""

    def __init__(self, path: Path, header: str, chain: AuditChain | None, *,
                 on_torn: TornLineFn | None = None) -> None:
        self._chain = chain
        super().__init__(path, header, on_torn=on_torn)

    def append(self, text: str) -> None:
        if self._chain is None:
            super().append(text)
            return
        data = text.encode("utf-8")  # raises before anything is recorded, as the append would
        with self._chain.lock:
            n = self._chain.record(self.path, data, new=os.fstat(self._fd).st_size == 0)
            try:
                super().append(text)
            except OSError:
                self._chain.void(self.path, n)
                raise


def move_file(chain: AuditChain | None, source: Path, target: Path) -> None:
    """``os.replace`` a chained file, recording the move first."""
    if chain is None:
        os.replace(source, target)
    else:
        chain.move(source, target, lambda: os.replace(source, target))

