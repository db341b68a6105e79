"""The journal's line format: ``op, crc, <columns>``, with batches committed as one group.

A batch of several rows (``insert_many``) is written as one append: every line but the last
carries ``op+`` ("more of this group follows"), the last a plain ``op``, which is the commit
marker. A power cut can tear the append anywhere; at load, a final group with no commit line
(and a torn final line) was never acknowledged and is set aside whole, so a batch is all or
nothing on disk as it is in memory.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from .csvfile import ParsedFile, RawRecord, decode, parse_records, read_records

JOURNAL_PREFIX = ("op", "crc")
OPS = ("insert", "update")
MORE = "+"
# A crash mid-append leaves a partial last journal line (or a batch without its commit
# line). It was never acknowledged (the fsync had not returned), so it is set aside in
# quarantine but is not a data problem.
TORN_WRITE = "incomplete last line (interrupted write)"
UNCOMMITTED = "batch cut off before its last line (interrupted write)"
INTERRUPTED = (TORN_WRITE, UNCOMMITTED)


def crc(cells: Sequence[str]) -> str:
    return f"{zlib.crc32(chr(31).join(cells).encode('utf-8', 'surrogateescape')):08x}"


def group_ops(ops: Sequence[str]) -> list[str]:
    """The op column for one group: ``op+`` on every line but the last."""
    return [op + MORE if k < len(ops) - 1 else op for k, op in enumerate(ops)]


def base_op(op: str) -> str:
    return op[:-1] if op.endswith(MORE) else op


def uncommitted_start(parsed: ParsedFile) -> int | None:
    """Index of the first row of an uncommitted tail (torn last line and/or an open group)."""
    rows = parsed.rows
    last = len(rows) - 1
    start: int | None = None
    if last >= 0 and not parsed.complete(last):
        start, last = last, last - 1
    while last >= 0 and rows[last] and rows[last][0].endswith(MORE):
        start, last = last, last - 1
    return start


_INSERT_ID = re.compile(r'^"?insert\+?"?,"?[0-9a-f]{8}"?,"?([^,"\n]+)', re.MULTILINE)


def reinserted_ids(paths: Iterable[Path]) -> set[str]:
    """IDs inserted more than once across these journals: a fast text scan, no CSV parsing.

    The engine inserts an ID once; twice means it was issued again (before the 128 KB field
    fix, a record that failed to load lost its ID to the next one).
    """
    counts: Counter[str] = Counter()
    for path in paths:
        text, _ = decode(path.read_bytes())
        counts.update(_INSERT_ID.findall(text))
    return {record_id for record_id, n in counts.items() if n > 1}


def records_mentioning(path: Path, needle: str) -> tuple[list[str], list[RawRecord]]:
    """Header and the records of a journal whose text contains ``needle``.

    History files hold every change ever made (hundreds of thousands of lines); parsing them
    all to show one patient's versions took seconds. ``str.find`` runs in C, so only the
    few lines that mention the ID are parsed. Files with multi-line cells are parsed whole.
    """
    text, _ = decode(path.read_bytes())
    if '"' in text and _has_multiline_cell(text):
        return read_records(path)
    end_of_header = text.find("\n")
    header_text = text[: end_of_header + 1] if end_of_header >= 0 else text
    chunks: list[str] = []
    start = end_of_header + 1
    while (hit := text.find(needle, start)) >= 0:
        line_start = text.rfind("\n", 0, hit) + 1
        line_end = text.find("\n", hit)
        line_end = len(text) if line_end < 0 else line_end + 1
        chunks.append(text[line_start:line_end])
        start = line_end
    return parse_records(header_text + "".join(chunks))


def _has_multiline_cell(text: str) -> bool:
    """True when some quoted cell spans lines (a note with a newline in it)."""
    return any(line.count('"') % 2 for line in text.split("\n"))
