"""Append-only day files for time series: ``data/<kind>/YYYY-MM-DD.csv`` (UTC dates).

Vitals numerics, wearable readings and alarm events arrive continuously and are never
amended, so they skip the journal: a batch is one append and one fsync, and a day's file is
never rewritten.
"""

from __future__ import annotations

import threading
import zlib
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Generic

from .access import FolderAccess
from .audit_chain import AuditChain, ChainedAppendFile
from .csvfile import AppendFile, format_header, format_line, read_records
from .daylog_index import DayIndex
from .journal import TORN_WRITE
from .quarantine import Quarantine, QuarantinedRow
from .schema import M, cells_to_model, check_column, model_kinds, model_to_cells
from .table import ReadOnlyError

if TYPE_CHECKING:
    import pandas as pd


class DayLog(Generic[M]):
    """Thread-safe appender and reader of one kind of time series. The model needs ``at``."""

    def __init__(self, folder: Path, model: type[M], quarantine: Quarantine, *, access: FolderAccess,
                 chain: AuditChain | None = None) -> None:
        if "at" not in model.model_fields:
            raise TypeError(f"{model.__name__} needs an 'at' field to be kept in day files")
        self.folder = folder
        self.kind = folder.name
        self._model = model
        self._kinds = model_kinds(model)
        self._columns = tuple(self._kinds)
        self._text_flags = tuple(k.is_text for k in self._kinds.values())
        # A trailing checksum column: a line torn by a crash (or shortened by hand) is caught
        # even by pandas' fast parser, which would otherwise pad the missing cells silently.
        self._file_columns = (*self._columns, "crc")
        self._at = self._columns.index("at")
        self._quarantine = quarantine
        self._access = access
        self._chain = chain  # every line is recorded in the audit chain before it is written
        self._lock = threading.Lock()
        self._open: dict[date, AppendFile] = {}
        self._index = DayIndex.for_columns(self._file_columns, self._text_flags,
                                          read_only=access.read_only)

    def path_for(self, day: date) -> Path:
        return self.folder / f"{day.isoformat()}.csv"

    @property
    def read_only(self) -> bool:
        return self._access.read_only

    def append(self, rows: Sequence[M]) -> None:
        """Validate every row, then one append + fsync per day file touched."""
        if self.read_only:
            raise ReadOnlyError(self._access.reason)
        by_day: dict[date, list[str]] = defaultdict(list)
        for row in rows:
            checked = self._model.model_validate(row.model_dump())
            at: datetime = checked.at  # type: ignore[attr-defined]  # checked in __init__
            day = (at.astimezone(UTC) if at.tzinfo else at).date()
            cells = model_to_cells(checked, self._kinds)
            by_day[day].append(format_line([*cells, _crc(cells)], (*self._text_flags, False)))
        with self._lock:
            for day, lines in sorted(by_day.items()):
                self._file(day).append("".join(lines))
                if self._index is not None:
                    self._index.appended(self.path_for(day), "".join(lines))

    def _file(self, day: date) -> AppendFile:
        target = self._open.get(day)
        if target is None:
            # Keep only recent days open: a batch for today (and around midnight, yesterday).
            for old in sorted(self._open)[:-1]:
                self._open.pop(old).close()
            path = self.path_for(day)
            target = ChainedAppendFile(path, format_header(self._file_columns), self._chain,
                                       on_torn=lambda line, raw: self._reject(path, line, TORN_WRITE, raw))
            self._open[day] = target
        return target

    def days(self) -> list[date]:
        if not self.folder.exists():
            return []
        found = []
        for path in self.folder.glob("*.csv"):
            try:
                found.append(date.fromisoformat(path.stem))
            except ValueError:
                continue
        return sorted(found)

    def _paths(self, start: datetime, end: datetime) -> Iterator[Path]:
        day = start.astimezone(UTC).date() if start.tzinfo else start.date()
        last = end.astimezone(UTC).date() if end.tzinfo else end.date()
        while day <= last:
            path = self.path_for(day)
            if path.exists():
                yield path
            day += timedelta(days=1)

    def read(self, start: datetime, end: datetime) -> list[M]:
        """Rows with ``start <= at < end``; bad lines are quarantined, the rest returned."""
        out: list[M] = []
        for path in self._paths(start, end):
            header, records = read_records(path)
            positions = {name: i for i, name in enumerate(header)}
            good: list[tuple[int, list[str], str]] = []
            for record in records:
                if not record.complete:
                    # A crash mid-append: never acknowledged, a note rather than a problem.
                    self._reject(path, record.line, TORN_WRITE, record.raw)
                    continue
                if len(record.cells) != len(header):
                    self._reject(path, record.line, f"has {len(record.cells)} fields, the header has {len(header)}",
                                 record.raw)
                    continue
                cells = [
                    _unescape(record.cells[positions[c]], flag) if c in positions else ""
                    for c, flag in zip(self._columns, self._text_flags, strict=True)
                ]
                crc_at = positions.get("crc")
                if crc_at is not None and record.cells[crc_at] != _crc(cells):
                    self._reject(path, record.line, "checksum mismatch (edited or damaged line)", record.raw)
                    continue
                good.append((record.line, cells, record.raw))
            bad: dict[int, str] = {}
            for i, (column, kind) in enumerate(self._kinds.items()):
                problems = check_column(kind, (cells[i] for _, cells, _ in good))
                if problems:
                    for n, (_, cells, _) in enumerate(good):
                        if cells[i] in problems and n not in bad:
                            bad[n] = f"{column}: {problems[cells[i]]}"
            for n, (line, cells, raw) in enumerate(good):
                if n in bad:
                    self._reject(path, line, bad[n], raw)
                    continue
                row = cells_to_model(self._model, self._kinds, cells)
                at: datetime = row.at  # type: ignore[attr-defined]
                if start <= at < end:
                    out.append(row)
        return out

    def read_frame(self, start: datetime, end: datetime, *,
                   where: Mapping[str, str] | None = None) -> pd.DataFrame:
        """The same rows as text columns (pandas' C parser: fast for a day of 1 Hz vitals).

        Adds a parsed ``at`` column named ``at_utc``. ``where`` keeps only rows whose columns
        equal the given text (e.g. one patient), applied per file before the costly time
        parsing. Files the fast parser cannot read cleanly go through ``read`` so their bad
        lines are quarantined, not dropped; so do all of them when a cell holds what the
        model refuses (text typed over a number, a time that is not one): it is named in the
        quarantine, never charted as nothing or passed on as a number it is not.
        """
        import pandas as pd

        paths = list(self._paths(start, end))
        frame = self._fast_frame(paths, where)
        if frame is not None and self._refused_cell(frame):
            frame = None
        if frame is None:
            frame = self._frame_of_rows([row for path in paths for row in self._read_file_rows(path, start, end)],
                                        where)
        if frame.empty:
            return pd.DataFrame(columns=[*self._columns, "at_utc"])
        lo = pd.Timestamp(start).tz_convert("UTC") if start.tzinfo else pd.Timestamp(start, tz="UTC")
        hi = pd.Timestamp(end).tz_convert("UTC") if end.tzinfo else pd.Timestamp(end, tz="UTC")
        return frame[(frame["at_utc"] >= lo) & (frame["at_utc"] < hi)].reset_index(drop=True)

    def _fast_frame(self, paths: list[Path], where: Mapping[str, str] | None) -> pd.DataFrame | None:
        """Every row of ``paths`` (``where`` applied) by the index or pandas, each file that is
        not in the app's plain layout by ``read``; None when there is nothing."""
        import pandas as pd

        frames = []
        if self._index is not None:  # one patient's lines only, by the day files' index
            indexed, paths = self._index.frame(paths, where)
            frames += [] if indexed is None else [indexed]
        for path in paths:
            try:
                frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
                if list(frame.columns) != list(self._file_columns) or (frame["crc"].str.len() != 8).any():
                    raise ValueError("not the plain layout, or a damaged line")
                frame = frame.drop(columns="crc")
            except (ValueError, pd.errors.ParserError):
                day = date.fromisoformat(path.stem)
                midnight = datetime.combine(day, datetime.min.time(), UTC)
                frame = pd.DataFrame(self._read_file_rows(path, midnight, midnight + timedelta(days=1)),
                                     columns=list(self._columns))
            else:
                for column, flag in zip(self._columns, self._text_flags, strict=True):
                    if flag:
                        frame[column] = frame[column].str.removeprefix("'")
            for column, value in (where or {}).items():
                frame = frame[frame[column] == value]
            frames.append(frame)
        if not frames:
            return None
        frame = pd.concat(frames, ignore_index=True)
        frame["at_utc"] = pd.to_datetime(frame["at"], format="ISO8601", utc=True, errors="coerce")
        return frame

    def _frame_of_rows(self, rows: list[list[str]], where: Mapping[str, str] | None) -> pd.DataFrame:
        import pandas as pd

        frame = pd.DataFrame(rows, columns=list(self._columns))
        for column, value in (where or {}).items():
            frame = frame[frame[column] == value]
        frame["at_utc"] = pd.to_datetime(frame["at"], format="ISO8601", utc=True, errors="coerce")
        return frame

    def _refused_cell(self, frame: pd.DataFrame) -> bool:
        """A cell the model refuses, which only a hand edit leaves (the app checks what it
        appends): a time that did not parse, or a value outside its column's kind (each
        distinct value checked once)."""
        if bool(frame["at_utc"].isna().any()):
            return True
        return any(check_column(kind, frame[column].unique().tolist())
                   for column, kind in self._kinds.items() if kind.name != "str" and column != "at")

    def _read_file_rows(self, path: Path, start: datetime, end: datetime) -> list[list[str]]:
        day = date.fromisoformat(path.stem)
        lo = datetime.combine(day, datetime.min.time(), UTC)
        rows = self.read(max(start, lo) if start.tzinfo else lo, min(end, lo + timedelta(days=1))
                         if end.tzinfo else lo + timedelta(days=1))
        return [model_to_cells(row, self._kinds) for row in rows]

    def _reject(self, path: Path, line: int, reason: str, raw: str) -> None:
        relative = f"{self.kind}/{path.name}"
        self._quarantine.add(QuarantinedRow(relative, line, reason, raw, "", self.kind))

    def close(self) -> None:
        with self._lock:
            for target in self._open.values():
                target.close()
            self._open.clear()


def _unescape(cell: str, is_text: bool) -> str:
    return cell[1:] if is_text and cell.startswith("'") else cell


def _crc(cells: Sequence[str]) -> str:
    return f"{zlib.crc32(chr(31).join(cells).encode('utf-8', 'surrogateescape')):08x}"
