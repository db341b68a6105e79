"""``verify``: walk the audit chain and compare it with every file it covers.

First the chain itself: every entry's hash must follow from the one before (an edited,
removed or reordered entry breaks it), its numbers must run on without a gap, and it must
reach the entry ``manifest.json`` anchored. Then, from the entries in order, what each file
should hold line by line (appends, journals moved into ``history/``, writes voided after a
crash, files a person accepted through Repair) is compared with the file as it is; the
first difference in each file is named as ``file:line: reason``.

A write cut short by a crash (the chain's last entry, with no ``close`` after it) is a note,
not a problem: its lines may be missing or torn; they were never acknowledged.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .audit_chain import (
    ACCEPT,
    ADOPT,
    APPEND,
    CHAIN_DIR,
    CLOSE,
    GENESIS,
    NEW,
    ROTATE,
    START,
    VOID,
    Entry,
    chain_files,
    chained_files,
    line_digest,
    link,
    read_entries,
)
from .manifest import MANIFEST

ANCHOR_KEY = "audit_chain"


@dataclass(frozen=True, slots=True)
class Written:
    """One line as the chain recorded it."""

    digest: str
    entry: int
    at: str


class _Stream:
    """What one file should hold, line by line: kept as plain lists (300,000 lines at 100,000
    patients; one object per line cost a second), ``Written`` made only for messages."""

    __slots__ = ("_at", "digests", "owners")

    def __init__(self, at_of: dict[int, str]) -> None:
        self.digests: list[str] = []
        self.owners: list[int] = []  # the entry that wrote each line
        self._at = at_of

    def add(self, digests: list[str], n: int, at: str) -> None:
        self.digests += digests
        self.owners += [n] * len(digests)
        self._at[n] = at

    def keep(self, wanted: Callable[[int], bool]) -> _Stream:
        kept = _Stream(self._at)
        for digest, n in zip(self.digests, self.owners, strict=True):
            if wanted(n):
                kept.digests.append(digest)
                kept.owners.append(n)
        return kept

    def __len__(self) -> int:
        return len(self.digests)

    def __getitem__(self, i: int) -> Written:
        n = self.owners[i]
        return Written(self.digests[i], n, self._at.get(n, ""))

    def __iter__(self) -> Iterator[Written]:
        return (self[i] for i in range(len(self)))

    def clear(self) -> None:
        self.digests.clear()
        self.owners.clear()

    def pop(self) -> None:
        self.digests.pop()
        self.owners.pop()


@dataclass
class VerifyReport:
    problems: list[str] = field(default_factory=list)  # ``file:line: reason``; empty = intact
    broken_files: list[str] = field(default_factory=list)  # what Repair would accept (``audit/`` too)
    notes: list[str] = field(default_factory=list)  # interrupted writes, accepted files
    entries: int = 0
    files: int = 0
    lines: int = 0
    since: str = ""  # when the chain started
    head: str = ""  # the last entry's hash: kept elsewhere, it shows a chain rewritten whole

    @property
    def intact(self) -> bool:
        return not self.problems


@dataclass
class _Walk:
    streams: dict[str, _Stream] = field(default_factory=dict)
    at_of: dict[int, str] = field(default_factory=dict)  # entry -> when it was written
    appended: dict[int, tuple[str, int]] = field(default_factory=dict)  # entry -> (file, lines)
    rotated: dict[int, tuple[str, str]] = field(default_factory=dict)
    removed: dict[str, Entry] = field(default_factory=dict)  # a file the app started afresh
    chain_problems: list[str] = field(default_factory=list)  # until Repair accepts the chain as it is
    in_flight: Entry | None = None
    head: str = GENESIS
    last_n: int = 0
    chain_size: tuple[str, int] = ("", 0)  # of the newest chain file when it was last read
    anchor_n: int = -1
    anchored: Entry | None = None  # the entry the manifest anchors, as found


def verify_folder(data_dir: Path) -> VerifyReport:
    data_dir = Path(data_dir)
    report = VerifyReport()
    files = chain_files(data_dir)
    if not files:
        report.problems.append(f"{CHAIN_DIR}/: no audit chain (the folder was never opened by a version "
                               "that keeps one, or the chain was deleted)")
        return report
    anchor = _read_anchor(data_dir)
    walk = _Walk(chain_size=_chain_size(data_dir), anchor_n=anchor[0] if anchor else -1)
    _walk_chain(data_dir, walk, report)
    report.problems += walk.chain_problems
    _check_anchor(anchor, walk, report)
    report.head = walk.head
    if report.problems:
        report.broken_files.append(f"{CHAIN_DIR}/")
    for name in sorted(set(walk.streams) | {p.relative_to(data_dir).as_posix() for p in chained_files(data_dir)}):
        report.files += 1
        _compare_file(data_dir, name, walk, report)
    return report


def _walk_chain(data_dir: Path, walk: _Walk, report: VerifyReport, *, catching_up: bool = False) -> None:
    """Apply the chain's entries in order; ``catching_up``: only those written since the last
    walk (the app went on writing while ``verify`` read the files: not a problem)."""
    head, last_n = walk.head, walk.last_n
    last: Entry | None = None
    files = chain_files(data_dir)
    for path in files[-2:] if catching_up else files:
        for item in read_entries(path):
            if isinstance(item, tuple):
                if not catching_up:
                    walk.chain_problems.append(f"{CHAIN_DIR}/{path.name}:{item[0]}: not an audit entry (edited?)")
                continue
            entry = item
            if catching_up and entry.n <= walk.last_n:
                continue
            if entry.n != last_n + 1:
                gap = (f"entries {last_n + 1}–{entry.n - 1} are missing (deleted, or a chain file removed)"
                       if entry.n > last_n + 1 else f"entry {entry.n} comes after entry {last_n} (reordered)")
                walk.chain_problems.append(f"{entry.where}: {gap}")
            elif link(head, entry.cells) != entry.chain:
                walk.chain_problems.append(f"{entry.where}: entry {entry.n} was changed (its hash does not follow "
                                       "from the entries before it)")
            head, last_n, last = entry.chain, entry.n, entry
            if entry.n == walk.anchor_n:
                walk.anchored = entry
            report.entries += 1
            _apply(entry, walk, report)
    walk.head, walk.last_n = head, last_n
    if last is not None:
        walk.in_flight = last if last.event in (APPEND, NEW, ROTATE) else None


def _apply(entry: Entry, walk: _Walk, report: VerifyReport) -> None:
    stream = walk.streams.setdefault(entry.file, _Stream(walk.at_of)) if entry.file else _Stream(walk.at_of)
    if entry.event in (APPEND, NEW, ADOPT):
        digests = entry.detail.split()
        if entry.event == NEW and stream:
            walk.removed[entry.file] = entry  # started afresh: what it held was removed
            stream.clear()
        stream.add(digests, entry.n, entry.at)
        walk.appended[entry.n] = (entry.file, len(digests))
    elif entry.event == ROTATE:
        walk.streams[entry.detail] = walk.streams.pop(entry.file, _Stream(walk.at_of))
        walk.rotated[entry.n] = (entry.file, entry.detail)
    elif entry.event == VOID:
        _undo(int(entry.detail or 0), walk)
        report.notes.append(f"{entry.file}: a write was interrupted (audit entry {entry.detail}); its lines "
                            "were never saved")
    elif entry.event == ACCEPT and entry.file == f"{CHAIN_DIR}/":
        report.notes += [f"{p} (accepted on {entry.at[:19]} UTC: {entry.detail})" for p in walk.chain_problems]
        walk.chain_problems.clear()
    elif entry.event == ACCEPT:
        stream.clear()
        walk.removed.pop(entry.file, None)
        report.notes.append(f"{entry.file}: accepted as it was on {entry.at[:19]} ({entry.detail})")
    elif entry.event == START:
        report.since = report.since or entry.at
        if "not chained" in entry.detail:
            report.notes.append(f"the audit chain holds from {entry.at[:19]} UTC; lines written before then "
                                "were adopted as they were")
    elif entry.event != CLOSE:
        report.problems.append(f"{entry.where}: unknown audit event {entry.event!r}")


def _undo(n: int, walk: _Walk) -> None:
    if n in walk.rotated:
        source, target = walk.rotated.pop(n)
        walk.streams[source] = walk.streams.pop(target, _Stream(walk.at_of))
        return
    file, count = walk.appended.pop(n, ("", 0))
    stream = walk.streams.get(file, _Stream(walk.at_of))
    while count and stream.owners and stream.owners[-1] == n:
        stream.pop()
        count -= 1


def _read_anchor(data_dir: Path) -> tuple[int, str] | None:
    """How long the chain was, and how it ended, when the manifest was last saved."""
    try:
        anchor = json.loads((data_dir / MANIFEST).read_text("utf-8-sig")).get(ANCHOR_KEY)
    except (OSError, ValueError, AttributeError):
        return None
    if not isinstance(anchor, dict):
        return None
    entries, head = anchor.get("entries"), anchor.get("head")
    return (entries, head) if isinstance(entries, int) and isinstance(head, str) else None


def _check_anchor(anchor: tuple[int, str] | None, walk: _Walk, report: VerifyReport) -> None:
    """A chain cut short, or rewritten from some entry on, no longer reaches the manifest's
    anchor (read before the chain, so a save while verify runs is no false alarm)."""
    if anchor is None:
        return
    entries, head = anchor
    if walk.last_n < entries:
        report.problems.append(f"{CHAIN_DIR}/: cut short: {MANIFEST} anchors entry {entries}, the chain has "
                               f"{walk.last_n} entries")
    elif walk.anchored is not None and walk.anchored.chain != head:
        report.problems.append(f"{walk.anchored.where}: entry {entries} is not the one {MANIFEST} anchored "
                               "(the chain was rewritten)")


#: How often one file is read again after catching up with a chain that grew meanwhile: each
#: read races the running app's next write, so once was not always enough on a loaded machine.
CATCH_UP_TRIES = 25


def _compare_file(data_dir: Path, name: str, walk: _Walk, report: VerifyReport, *, tries: int = 0) -> None:
    expected = walk.streams.get(name, _Stream(walk.at_of))
    in_flight = walk.in_flight
    flying = in_flight is not None and in_flight.file == name
    path = data_dir / name
    if not path.exists():
        if flying and in_flight is not None and in_flight.event == ROTATE:
            return
        if expected and not (flying and set(expected.owners) == {expected.owners[-1]}):
            if tries < CATCH_UP_TRIES and _caught_up(data_dir, walk, report):
                _compare_file(data_dir, name, walk, report, tries=tries + 1)
                return
            last = expected[-1]
            report.problems.append(f"{name}: deleted ({len(expected)} line(s) were written to it, the last "
                                   f"on {last.at[:19]} UTC, audit entry {last.entry})")
            report.broken_files.append(name)
        return
    data = path.read_bytes()
    lines = data.split(b"\n")
    torn = lines.pop()  # "" when the file ends with a newline
    actual = [line_digest(line) for line in lines]
    if torn and len(expected) > len(actual) and expected[len(actual)].digest == line_digest(torn):
        actual.append(expected[len(actual)].digest)  # accepted (Repair) as it is: without its newline
        torn = b""
    report.lines += len(actual)
    if flying and in_flight is not None and in_flight.event == ROTATE:
        rotated_to = walk.streams.get(in_flight.detail, _Stream(walk.at_of))
        if not (data_dir / in_flight.detail).exists() and rotated_to:
            expected = rotated_to  # the move itself never happened: the lines are still here
    problem = _difference(actual, expected, name)
    if problem is None and torn:
        report.notes.append(f"{name}:{len(actual) + 1}: a last line without its end: a write interrupted by "
                            "a crash, never saved (HMS Desktop cuts it off when it next opens the folder)")
    if problem is not None and flying and in_flight is not None and in_flight.event in (APPEND, NEW):
        flying_n = in_flight.n
        settled = expected.keep(lambda n: n != flying_n)
        pending = expected.keep(lambda n: n == flying_n).digests
        done = actual[len(settled):]
        if _difference(actual[:len(settled)], settled, name) is None and done == pending[:len(done)]:
            report.notes.append(f"{name}: the last write was interrupted (audit entry {in_flight.n}); "
                                "it was never saved")
            return
    if problem is None and name in walk.removed:
        entry = walk.removed[name]
        problem = (f"{name}:1: the file was deleted and started afresh at {entry.at[:19]} UTC "
                   f"(audit entry {entry.n}); what it held before is gone")
    if problem is not None and tries < CATCH_UP_TRIES and _caught_up(data_dir, walk, report):
        report.lines -= len(actual)
        _compare_file(data_dir, name, walk, report, tries=tries + 1)
        return
    if problem is not None:
        report.problems.append(problem)
        report.broken_files.append(name)


def _chain_size(data_dir: Path) -> tuple[str, int]:
    files = chain_files(data_dir)
    return (files[-1].name, files[-1].stat().st_size) if files else ("", 0)


def _caught_up(data_dir: Path, walk: _Walk, report: VerifyReport) -> bool:
    """Read the entries written since the chain was walked, if any: the app may have gone on
    writing (or moved a journal into history) while ``verify`` read the files."""
    now = _chain_size(data_dir)
    if now == walk.chain_size:
        return False
    _walk_chain(data_dir, walk, report, catching_up=True)
    walk.chain_size = now
    return True


def _difference(actual: list[str], expected: _Stream, name: str) -> str | None:
    """The first place ``actual`` differs from what was written, as ``file:line: reason``."""
    if actual == expected.digests:
        return None  # the common case, compared in C
    common = min(len(actual), len(expected))
    i = 0
    while i < common and actual[i] == expected.digests[i]:
        i += 1
    if i == len(actual) == len(expected):
        return None
    if not expected:
        return f"{name}:1: not in the audit chain (written outside HMS Desktop)"
    if i == len(actual):
        last = expected[-1]
        return (f"{name}:{i + 1}: truncated: the file ends here, {len(expected) - i} more line(s) were written "
                f"(the last on {last.at[:19]} UTC, audit entry {last.entry})")
    if i == len(expected):
        return f"{name}:{i + 1}: inserted: this line and {len(actual) - i - 1} after it are not in the audit chain"
    later_expected = {w.digest: k for k, w in enumerate(expected) if k > i}
    later_actual = {d: k for k, d in enumerate(actual) if k > i}
    here, written = actual[i], expected[i]
    line = i + 1
    if here in later_expected and written.digest in later_actual:
        return (f"{name}:{line}: reordered: this line was written as line {later_expected[here] + 1}, and line "
                f"{line} as written is now line {later_actual[written.digest] + 1}")
    if here in later_expected:
        gone = later_expected[here] - i
        return (f"{name}:{line}: deleted: {gone} line(s) written here (audit entry {written.entry}, "
                f"{written.at[:19]} UTC) are missing")
    if written.digest in later_actual:
        extra = later_actual[written.digest] - i
        return f"{name}:{line}: inserted: {extra} line(s) here are not in the audit chain"
    return (f"{name}:{line}: edited: differs from what was written on {written.at[:19]} UTC "
            f"(audit entry {written.entry})")
