"""The audit viewer's queries: who opened, changed, printed or exported what, and when.

Two sources make one list: the access log (``access/YYYY-MM-DD.csv``: records opened,
denials, sign-ins, exports) and every table's journals and ``history/`` (each saved version,
with ``updated_by`` and ``updated_at``). Only the identifying columns are read from the
journals (table, ID, patient, version, who, when) — never a record's contents, so a password
hash in the users table's history is never shown. Administrators only, checked here
(``Permission.VIEW_AUDIT_LOG``), whoever calls; exporting what is shown is itself logged.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from hms_desktop.domain.accounts import AccessEvent, Permission
from hms_desktop.storage import Store
from hms_desktop.storage.csvfile import format_header, format_line, read_records, replace_file
from hms_desktop.storage.journal import base_op, records_mentioning
from hms_desktop.storage.registry import all_tables
from hms_desktop.storage.schema import TableSpec
from hms_desktop.storage.table import Version

from .access_control import EXPORTED, UNRESTRICTED, AccessControl, requires

ProgressFn = Callable[[str, float], None]
EXPORT_COLUMNS = ("at", "user", "action", "patient_id", "table", "record_id", "version", "detail")
#: Fields never shown from a record's history, whoever looks (docs/security.md).
SECRET_FIELDS = frozenset({"password_hash"})


@dataclass(frozen=True)
class AuditFilter:
    """Empty fields match everything; dates are UTC days, both ends included."""

    user: str = ""
    patient_id: str = ""
    action: str = ""
    start: date | None = None
    end: date | None = None

    def matches(self, row: AuditRow) -> bool:
        return ((not self.user or self.user.casefold() in row.user.casefold())
                and (not self.patient_id or row.patient_id == self.patient_id)
                and (not self.action or row.action == self.action)
                and (self.start is None or row.at.astimezone(UTC).date() >= self.start)
                and (self.end is None or row.at.astimezone(UTC).date() <= self.end))


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    user: str
    action: str  # an access-log action, or "inserted <table>" / "updated <table>"
    patient_id: str = ""
    table: str = ""  # the table a change was saved to ("" for an access-log line)
    record_id: str = ""
    version: int = 0
    detail: str = ""

    def cells(self) -> tuple[str, ...]:
        return (self.at.isoformat(), self.user, self.action, self.patient_id, self.table, self.record_id,
                str(self.version or ""), self.detail)


class Cancelled(Exception):
    """The person closed the viewer (or searched again) before the search finished."""


class AuditLogService:
    access: AccessControl = UNRESTRICTED

    def __init__(self, store: Store) -> None:
        self._store = store

    @requires(Permission.VIEW_AUDIT_LOG, "view the audit log")
    def search(self, wanted: AuditFilter, *, progress: ProgressFn | None = None,
               cancel: threading.Event | None = None) -> list[AuditRow]:
        """Every matching access-log line and saved change, newest first."""
        say = progress or (lambda _step, _fraction: None)
        specs = [s for s in all_tables() if self._journal_files(s)]
        rows = [r for r in self._access_rows(wanted) if wanted.matches(r)]
        for k, spec in enumerate(specs):
            if cancel is not None and cancel.is_set():
                raise Cancelled()
            say(f"Reading the history of {spec.name}", (k + 1) / (len(specs) + 1))
            rows += [r for r in self._change_rows(spec, wanted) if wanted.matches(r)]
        say("Done", 1.0)
        return sorted(rows, key=lambda r: r.at, reverse=True)

    def actions(self) -> list[str]:
        """What ``action`` can be filtered on (the access log's words and each kind of change)."""
        from .access_control import DENIED, EMERGENCY, EMERGENCY_READ, OPENED, PRINTED

        logged = [OPENED, PRINTED, EXPORTED, DENIED, EMERGENCY, EMERGENCY_READ, "signed in", "sign-in failed",
                  "locked out"]
        return logged + [f"{op} {spec.name}" for spec in all_tables() for op in ("inserted", "updated")]

    @requires(Permission.VIEW_AUDIT_LOG, "open a record's history from the audit log")
    def history(self, table: str, record_id: str) -> list[tuple[Version[Any], dict[str, Any]]]:
        """Every saved version of one record, oldest first, each with its fields as saved."""
        spec = next((s for s in all_tables() if s.name == table), None)
        if spec is None:
            raise KeyError(f"no table {table!r}")
        versions = self._store.table(spec).history(record_id)
        return [(v, {k: x for k, x in v.record.model_dump(mode="json").items() if k not in SECRET_FIELDS})
                for v in versions]

    @requires(Permission.VIEW_AUDIT_LOG, "export the audit log")
    def export_csv(self, rows: Sequence[AuditRow], path: Path) -> None:
        """What the viewer shows, as CSV (spreadsheet-safe); the export is itself logged."""
        text_columns = (False, True, True, True, True, True, False, True)
        body = "".join(format_line(row.cells(), text_columns) for row in rows)
        replace_file(Path(path), ("\ufeff" + format_header(EXPORT_COLUMNS) + body).encode("utf-8"))
        self.access.record(EXPORTED, detail=f"audit log: {len(rows)} row(s) to {Path(path).name}")

    # ------------------------------------------------------------------ sources
    def _access_rows(self, wanted: AuditFilter) -> list[AuditRow]:
        log = self._store.day_log("access", AccessEvent)
        days = log.days()
        if not days:
            return []
        first, last = wanted.start or days[0], wanted.end or days[-1]
        start = datetime.combine(first, time.min, UTC)
        end = datetime.combine(last + timedelta(days=1), time.min, UTC)
        return [AuditRow(e.at, e.user, e.action, e.patient_id, detail=e.detail) for e in log.read(start, end)]

    def _journal_files(self, spec: TableSpec) -> list[Path]:
        folder = self._store.data_dir
        files = sorted(folder.glob(f"history/{spec.name}.*.journal.csv"))
        live = folder / f"{spec.name}.journal.csv"
        return [*files, live] if live.exists() else files

    def _change_rows(self, spec: TableSpec, wanted: AuditFilter) -> list[AuditRow]:
        # A patient narrows the lines to parse to those that mention it (str.find in C).
        needle = wanted.patient_id
        out: list[AuditRow] = []
        for path in self._journal_files(spec):
            header, records = records_mentioning(path, needle) if needle else read_records(path)
            at = {name: i for i, name in enumerate(header)}
            if not {"id", "version", "updated_at", "updated_by"} <= set(at):
                continue
            patient_at = at.get("id") if spec.name == "patients" else at.get("patient_id")
            for record in records:
                cells = record.cells
                if len(cells) != len(header) or not record.complete:
                    continue
                try:
                    when = datetime.fromisoformat(cells[at["updated_at"]])
                    version = int(cells[at["version"]] or 0)
                except ValueError:
                    continue  # a damaged line: check and verify name it
                patient = cells[patient_at] if patient_at is not None else ""
                out.append(AuditRow(when, cells[at["updated_by"]].removeprefix("'"),
                                    f"{'inserted' if base_op(cells[0]) == 'insert' else 'updated'} {spec.name}",
                                    patient, spec.name, cells[at["id"]], version))
        return out
