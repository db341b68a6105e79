"""One patient's day-file records as rows of a byte matrix, and their cells parsed in numpy.

A year of one patient's 5-minute readings is ~100,000 records; a Python object per cell (or
pandas' parser making strings of times and device names) cost more than finding the lines.
Here the records are rows of one zero-padded ``uint8`` matrix and a chart's columns are read
column-wise in C: times as UTC epoch seconds, numbers as float64, text through its runs of
equal values (a device name repeats for months).

Only the plain layout the app writes is read this way. Any record with a quote, a carriage
return, a NUL, a cell too many or too few, a time or number written another way makes a
parser answer None, and the caller reads the files the ordinary way (which quarantines).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

_NEWLINE, _QUOTE, _COMMA = 10, 34, 44
_ZERO, _DOT, _MINUS = 48, 46, 45
_MAX_DIGITS = 15  # below 2**53: the integer digits are exact, one division rounds correctly
_POW10 = 10 ** np.arange(_MAX_DIGITS + 1, dtype=np.int64)


@dataclass(frozen=True)
class Lines:
    """CSV records, one a row from its first byte, 0 after its end (``lengths`` counts each
    one's line break); one more row of 0 at the end lets a cell be cut out of any row
    without a bounds check."""

    padded: np.ndarray  # (n + 1, width) uint8
    lengths: np.ndarray  # (n,) int64

    @classmethod
    def stack(cls, parts: Sequence[tuple[np.ndarray, np.ndarray]]) -> Lines:
        """One matrix from ``(records, lengths)`` per file, each records' row 0 after its end."""
        count = sum(len(lengths) for _, lengths in parts)
        width = max((records.shape[1] for records, _ in parts), default=1)
        padded = np.zeros((count + 1, width), dtype=np.uint8)
        at = 0
        for records, _ in parts:
            padded[at:at + len(records), :records.shape[1]] = records
            at += len(records)
        lengths = (np.concatenate([lengths for _, lengths in parts]).astype(np.int64) if parts
                   else np.zeros(0, dtype=np.int64))
        return cls(padded, lengths)

    @property
    def rows(self) -> np.ndarray:
        return self.padded[:-1]

    def joined(self) -> bytes:
        """The records as one text, in order."""
        return bytes(self.rows[np.arange(self.rows.shape[1]) < self.lengths[:, None]].tobytes())


def cell_bounds(lines: Lines, columns: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Where each record's cells start and end, ``(n, columns)`` each; None unless every
    record is one plain line of exactly ``columns`` cells (no quote or control byte in it)."""
    rows, lengths = lines.rows, lines.lengths
    n, width = rows.shape
    if not n:
        empty = np.zeros((0, columns), dtype=np.int64)
        return empty, empty
    # Past the records every byte is 0; within them the only control byte is the line break
    # that ends each one (no CR, NUL or second line); and no quote.
    if ((rows[np.arange(n), lengths - 1] != _NEWLINE).any()
            or np.count_nonzero(rows < 32) != rows.size - int(lengths.sum()) + n
            or np.count_nonzero(rows == _QUOTE)):
        return None
    found = np.flatnonzero(rows == _COMMA)  # in order: each record's commas, record by record
    if len(found) != n * (columns - 1):
        return None
    commas = found.reshape(n, columns - 1)
    first_row = np.arange(n, dtype=np.int64) * width
    if columns > 1:
        # Each group of (columns - 1) commas starting and ending in its own record, and their
        # number right: every record has exactly that many.
        if ((commas[:, 0] < first_row) | (commas[:, -1] >= first_row + width)).any():
            return None
        commas = commas - first_row[:, None]
    starts = np.concatenate([np.zeros((n, 1), dtype=np.int64), commas + 1], axis=1)
    ends = np.concatenate([commas, (lengths - 1)[:, None]], axis=1)
    return starts, ends


def cells(lines: Lines, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One column's cells as a zero-padded ``(n, widest)`` matrix, and each cell's width."""
    widths = ends - starts
    widest = max(int(widths.max()) if len(widths) else 0, 1)
    width = lines.padded.shape[1]
    if widest > width:  # cannot happen for cells of these rows; a guard for the view below
        raise ValueError("a cell wider than its record")
    if not starts.any():  # the first column: a slice
        out = np.array(lines.rows[:, :widest])
    else:  # windows of the flat matrix: one short copy per cell, no index per byte
        first = np.arange(len(widths), dtype=np.int64) * width + starts
        out = sliding_window_view(lines.padded.ravel(), widest)[first]
    if (widths != widest).any():  # times, keys and checksums are all of one width
        np.multiply(out, np.arange(widest) < widths[:, None], out=out)
    return out, widths


def decimals(cells: np.ndarray, widths: np.ndarray) -> np.ndarray | None:
    """Cells such as ``-12``, ``36.6`` or empty as float64 (empty is NaN), each equal to
    Python's ``float`` of the text; None if any cell is not a plain decimal of at most 15
    digits (an exponent, a space, ``1_000``: the ordinary read decides those)."""
    n = len(widths)
    mantissa = np.zeros(n, dtype=np.int64)
    scale = np.zeros(n, dtype=np.int64)
    count = np.zeros(n, dtype=np.int64)
    dotted = np.zeros(n, dtype=np.bool_)
    negative = cells[:, 0] == _MINUS
    for at in range(cells.shape[1]):  # a column of bytes at a time: cells are a few bytes wide
        byte = cells[:, at].astype(np.int64)
        within = widths > at
        digit = within & (byte >= _ZERO) & (byte <= _ZERO + 9)
        dot = within & (byte == _DOT)
        sign = negative if at == 0 else False
        if (within & ~(digit | dot | sign)).any() or (dot & dotted).any():
            return None
        dotted |= dot
        mantissa = np.where(digit, mantissa * 10 + byte - _ZERO, mantissa)
        scale += digit & dotted
        count += digit
    if ((widths > 0) & (count == 0)).any() or (count > _MAX_DIGITS).any():
        return None
    values = mantissa / _POW10[scale].astype(np.float64)
    values = np.where(negative, -values, values)
    values[widths == 0] = np.nan
    return values


# The layouts ``datetime.isoformat`` gives for the app's UTC times: optional microseconds,
# "+00:00" for an aware time (a naive one is read as UTC, as pandas does).
_DIGITS_AT = np.array([0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18])
_PUNCTUATION = {4: ord("-"), 7: ord("-"), 10: ord("T"), 13: ord(":"), 16: ord(":")}
_UTC = np.frombuffer(b"+00:00", dtype=np.uint8)
_LAYOUTS = (19, 25, 26, 32)


def utc_seconds(cells: np.ndarray, widths: np.ndarray) -> np.ndarray | None:
    """ISO times (``YYYY-MM-DDTHH:MM:SS[.ffffff][+00:00]``) as float64 seconds since the
    epoch, each equal to Python's ``datetime.timestamp()``; None for any other text or an
    impossible date or time."""
    n = len(widths)
    if not n:
        return np.zeros(0, dtype=np.float64)
    if not np.logical_or.reduce([widths == layout for layout in _LAYOUTS]).all():
        return None
    text = cells if cells.shape[1] >= 32 else np.pad(cells, ((0, 0), (0, 32 - cells.shape[1])))
    # Digits where digits go (numpy's parser would take a sign or a space), punctuation between.
    if ((text[:, _DIGITS_AT] - np.uint8(_ZERO)) > 9).any():  # uint8: a byte below "0" wraps round
        return None
    if any((text[:, column] != mark).any() for column, mark in _PUNCTUATION.items()):
        return None
    fraction = (widths == 26) | (widths == 32)
    micro = np.zeros((n, 6), dtype=np.int64)
    if fraction.any():
        micro = text[:, 20:26].astype(np.int64) - _ZERO
        if (fraction & ((text[:, 19] != _DOT) | ((micro < 0) | (micro > 9)).any(axis=1))).any():
            return None
    zone = np.where(fraction[:, None], text[:, 26:32], text[:, 19:25]) if fraction.any() else text[:, 19:25]
    if (((widths == 25) | (widths == 32)) & (zone != _UTC).any(axis=1)).any():
        return None
    try:  # numpy's own ISO parser, in C: it refuses a 30 February, a 25th hour, a 61st second
        seconds = np.ascontiguousarray(text[:, :19]).view("S19").ravel().astype("datetime64[s]")
    except ValueError:
        return None
    if not fraction.any():
        return seconds.astype(np.int64).astype(np.float64)
    microseconds = np.where(fraction, (micro * _POW10[5::-1]).sum(axis=1), 0)
    return (seconds.astype(np.int64) * 1_000_000 + microseconds) / 1e6


def texts(cells: np.ndarray, widths: np.ndarray, *, escaped: bool) -> list[str] | None:
    """The cells as strings (a formula escape removed when ``escaped``), decoding each run of
    equal cells once; None if a cell is not UTF-8."""
    n = len(widths)
    if not n:
        return []
    starts_run = np.ones(n, dtype=np.bool_)
    starts_run[1:] = (cells[1:] != cells[:-1]).any(axis=1) | (widths[1:] != widths[:-1])
    firsts = np.flatnonzero(starts_run)
    decoded: dict[bytes, str] = {}
    values = []
    for row in firsts.tolist():
        raw = cells[row, :widths[row]].tobytes()
        value = decoded.get(raw)
        if value is None:
            try:
                value = raw.decode("utf-8")
            except UnicodeDecodeError:
                return None
            value = value[1:] if escaped and value.startswith("'") else value
            decoded[raw] = value
        values.append(value)
    runs = np.empty(len(values), dtype=object)
    runs[:] = values
    return list(runs[np.cumsum(starts_run) - 1].tolist())


def equal(cells: np.ndarray, widths: np.ndarray, text: str) -> np.ndarray:
    """Which cells are exactly ``text`` (as written, escape included)."""
    wanted = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    if len(wanted) > cells.shape[1]:
        return np.zeros(len(widths), dtype=np.bool_)
    same: np.ndarray = (widths == len(wanted)) & (cells[:, :len(wanted)] == wanted).all(axis=1)
    return same


_HEX = np.zeros(256, dtype=np.bool_)
_HEX[np.frombuffer(b"0123456789abcdef", dtype=np.uint8)] = True


def all_hex8(cells: np.ndarray, widths: np.ndarray) -> bool:
    """Every cell is 8 lower-case hex digits (the checksum column as the app writes it)."""
    return bool((widths == 8).all() and _HEX[cells[:, :8]].all())
