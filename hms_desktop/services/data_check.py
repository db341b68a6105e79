"""Validates a whole data folder: the logic behind ``python -m hms_desktop check``.

Loading is the validation: the storage engine quarantines every row it cannot accept
(with file, line and reason), so the check opens the folder the same way the app does
and reports what it set aside. It opens the folder read-only, so it is harmless beside a running app.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from hms_desktop.domain.validation_text import describe_validation_error
from hms_desktop.services.gc_pause import cyclic_gc_paused
from hms_desktop.services.settings_file import SETTINGS_FILE, SettingsError, load_settings
from hms_desktop.storage import INTERRUPTED, Store, Table
from hms_desktop.storage.audit_chain import CHAIN_DIR, chain_files
from hms_desktop.storage.audit_verify import verify_folder
from hms_desktop.storage.csvfile import read_records
from hms_desktop.storage.daylog_index import index_notes
from hms_desktop.storage.registry import all_day_logs, all_tables

ProgressFn = Callable[[str, float], None]


@dataclass
class CheckReport:
    """Rows per table and every problem as ``file:line: reason``; clean means no problems."""

    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # worth fixing, but no data is at risk

    @property
    def clean(self) -> bool:
        return not self.problems


def _display_path(data_dir: Path, file: object) -> str:
    path = Path(str(file))
    return str(path if path.is_absolute() else data_dir / path)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _model_problems(data_dir: Path, table: Table[Any]) -> list[str]:
    """Rows whose cells pass the load-time column checks but fail the model's own validators.

    Building every model is the slow part of a check (about 2 s per 100,000 rows) and the
    reason the app does not do it at start-up; a check is where thoroughness belongs.
    """
    bad: dict[str, str] = {}
    for record_id in table.ids():
        try:
            table.get(record_id)
        except ValidationError as exc:
            bad[record_id] = describe_validation_error(exc)
        except (ValueError, TypeError) as exc:  # a cell the model cannot even be built from
            bad[record_id] = f"{type(exc).__name__}: {exc}"
    if not bad:
        return []
    where = _locate(table, set(bad))
    return [f"{where.get(rid, str(table.path))}: {rid}: {reason}" for rid, reason in bad.items()]


def _locate(table: Table[Any], ids: set[str]) -> dict[str, str]:
    """``file:line`` of the newest stored version of each id (the journal wins over the checkpoint)."""
    found: dict[str, str] = {}
    for path in (table.path, table.journal_path):  # later files overwrite: newest version wins
        try:
            header, records = read_records(path)
        except OSError:  # missing or unreadable: the store has named it
            continue
        if "id" not in header:
            continue
        column = header.index("id")
        for record in records:
            if column < len(record.cells) and record.cells[column] in ids:
                found[record.cells[column]] = f"{path}:{record.line}"
    return found


def _store_findings(data_dir: Path, store: Store, report: CheckReport) -> None:
    """What opening the folder found: files unlike the manifest, headers, formulas, reissued IDs,
    rows that cannot be loaded (an interrupted write is a note: it was never acknowledged)."""
    for problem in store.integrity_problems:
        report.problems.append(f"{_display_path(data_dir, problem.file)}: {problem.message}")
    if store.integrity_problems:
        report.notes.append("the folder opens read-only until the files are restored from a backup or a "
                            "person confirms Repair (python -m hms_desktop repair)")
    for finding in [*store.findings(), *store.formula_findings(), *store.collisions()]:
        report.problems.append(_in_folder(data_dir, finding))
    for row in store.quarantine:
        where = f"{_display_path(data_dir, row.file)}:{row.line}"
        if row.reason in INTERRUPTED:
            # Never acknowledged (the app had not said "saved"), so not a data problem.
            report.notes.append(f"{where}: a write interrupted by a crash was set aside in quarantine")
        else:
            report.problems.append(f"{where}: {row.reason}")
    for reason in store.blocked_rewrites():
        report.notes.append(_in_folder(data_dir, reason))


def _in_folder(data_dir: Path, finding: str) -> str:
    """``file:line: text`` with the folder in front (not a Path join: the text may hold //)."""
    return f"{data_dir}{os.sep}{finding}"


def _permission_warnings(data_dir: Path) -> list[str]:
    """Patient data readable by other users of the computer (a folder made before 0700)."""
    if os.name == "nt":
        return []
    warnings = []
    for path in [data_dir, *sorted(data_dir.glob("*.csv")), *sorted(data_dir.glob("*.json"))]:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            warnings.append(f"{path}: readable by other users of this computer (mode {mode:04o}); "
                            f"run: chmod {'700' if path.is_dir() else '600'} '{path}'")
    return warnings


def check_data(data_dir: Path, *, progress: ProgressFn | None = None) -> CheckReport:
    """Open the folder, load every known table and day file, and collect every problem."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        return CheckReport(problems=[f"{data_dir}: not a folder"])
    report = CheckReport()
    say = progress or (lambda _step, _fraction: None)
    # read_only: no lock taken and nothing written, so it is safe beside a running app.
    store = Store(data_dir, read_only=True)
    with cyclic_gc_paused(), closing(store):
        specs = all_tables()
        day_logs = all_day_logs()
        steps = max(len(specs) + len(day_logs), 1)
        for index, spec in enumerate(specs):
            say(f"Loading {spec.name}", index / steps)
            table = store.table(spec)
            report.counts[spec.name] = len(table)
            report.problems.extend(_model_problems(data_dir, table))
        for index, (name, model) in enumerate(day_logs.items(), start=len(specs)):
            say(f"Reading {name} day files", index / steps)
            day_log = store.day_log(name, model)
            days = day_log.days()
            rows = day_log.read(_midnight(days[0]), _midnight(days[-1] + timedelta(days=1))) if days else []
            report.counts[f"{name} (day files)"] = len(rows)
            report.notes.extend(index_notes(day_log.folder, model))
        _store_findings(data_dir, store, report)
    try:
        load_settings(data_dir)
    except SettingsError as exc:
        report.problems.append(str(exc))
    known = {f"{spec.name}.csv" for spec in all_tables()} | {
        f"{spec.name}.journal.csv" for spec in all_tables()
    }
    for csv in sorted(data_dir.glob("*.csv")):
        if csv.name not in known:
            report.notes.append(f"{csv}: not a table this version knows; not checked")
    if (data_dir / SETTINGS_FILE).exists() is False:
        report.notes.append("no settings.json yet: default clinic settings apply")
    for tmp in sorted(data_dir.glob("*.tmp")):
        report.notes.append(f"{tmp}: an unfinished temporary file from an interrupted save; "
                            "HMS Desktop removes it when it next opens the folder")
    report.warnings.extend(_permission_warnings(data_dir))
    say("Verifying the audit chain", 0.99)
    _audit_chain_findings(data_dir, report)
    say("Done", 1.0)
    return report


def _audit_chain_findings(data_dir: Path, report: CheckReport) -> None:
    """``verify``'s findings; a folder from before the chain is a note (it starts at the next open)."""
    if not chain_files(data_dir):
        report.notes.append(f"{data_dir / CHAIN_DIR}: no audit chain yet; it starts (adopting the files as "
                            "they are) when HMS Desktop next opens the folder")
        return
    audit = verify_folder(data_dir)
    report.problems.extend(_in_folder(data_dir, problem) for problem in audit.problems)
    report.notes.extend(_in_folder(data_dir, note) for note in audit.notes)
