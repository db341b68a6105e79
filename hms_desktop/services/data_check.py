"""Validates a whole data folder: the logic behind ``python -m hms_desktop check``.

Loading is the validation: the storage engine quarantines every row it cannot accept
(with file, line and reason), so the check opens the folder the same way the app does
and reports what it set aside. It opens the folder read-only, so it is harmless beside a running app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from hms_desktop.services.settings_file import SETTINGS_FILE, SettingsError, load_settings
from hms_desktop.storage import TORN_WRITE, Store
from hms_desktop.storage.registry import all_day_logs, all_tables

ProgressFn = Callable[[str, float], None]


@dataclass
class CheckReport:
    """Rows per table and every problem as ``file:line: reason``; clean means no problems."""

    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.problems


def _display_path(data_dir: Path, file: object) -> str:
    path = Path(str(file))
    return str(path if path.is_absolute() else data_dir / path)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def check_data(data_dir: Path, *, progress: ProgressFn | None = None) -> CheckReport:
    """Open the folder, load every known table and day file, and collect every problem."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        return CheckReport(problems=[f"{data_dir}: not a folder"])
    report = CheckReport()
    say = progress or (lambda _step, _fraction: None)
    # read_only: no lock taken and nothing written, so it is safe beside a running app.
    store = Store(data_dir, read_only=True)
    try:
        specs = all_tables()
        day_logs = all_day_logs()
        steps = max(len(specs) + len(day_logs), 1)
        for index, spec in enumerate(specs):
            say(f"Loading {spec.name}", index / steps)
            report.counts[spec.name] = len(store.table(spec))
        for index, (name, model) in enumerate(day_logs.items(), start=len(specs)):
            say(f"Reading {name} day files", index / steps)
            day_log = store.day_log(name, model)
            days = day_log.days()
            rows = day_log.read(_midnight(days[0]), _midnight(days[-1] + timedelta(days=1))) if days else []
            report.counts[f"{name} (day files)"] = len(rows)
        for row in store.quarantine:
            where = f"{_display_path(data_dir, row.file)}:{row.line}"
            if row.reason == TORN_WRITE:
                # Never acknowledged (the app had not said "saved"), so not a data problem.
                report.notes.append(f"{where}: a write interrupted by a crash was set aside in quarantine")
            else:
                report.problems.append(f"{where}: {row.reason}")
    finally:
        store.close()
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
    say("Done", 1.0)
    return report
