"""The ``ics`` command writes a parseable calendar and fails clearly on bad input."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from icalendar import Calendar

from hms_desktop.cli import ics
from hms_desktop.services.scheduling import SchedulingService
from hms_desktop.storage import Store
from tests.schedule_support import draft, local

pytest_plugins = ["tests.schedule_fixtures"]


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    ics.add_command(parser.add_subparsers())
    args = parser.parse_args(["ics", *argv])
    return int(args.func(args))


def test_exports_provider_to_file_while_app_holds_lock(service: SchedulingService, store: Store,
                                                       tmp_path: Path) -> None:
    saved = service.book(draft(local(2026, 3, 2, 9)))
    out = tmp_path / "doc.ics"
    assert run("--data-dir", str(store.data_dir), "--provider", "DOC000001", "--out", str(out)) == 0
    uids = [str(e["uid"]) for e in Calendar.from_ical(out.read_bytes()).walk("VEVENT")]
    assert uids == [f"{saved.id}@hms-desktop"]


def test_unknown_provider_exit_code_and_message(service: SchedulingService, store: Store,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--data-dir", str(store.data_dir), "--provider", "DOC999999") == 1
    assert "provider DOC999999 does not exist" in capsys.readouterr().err


def test_needs_provider_or_patient(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        run("--data-dir", str(tmp_path))


def test_real_command_line(service: SchedulingService, store: Store, tmp_path: Path) -> None:
    import subprocess
    import sys

    service.book(draft(local(2026, 3, 2, 9)))
    out = tmp_path / "pat.ics"
    done = subprocess.run([sys.executable, "-m", "hms_desktop", "ics", "--data-dir", str(store.data_dir),
                           "--patient", "PAT000001", "--out", str(out)], capture_output=True, text=True,
                          timeout=60, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    assert len(Calendar.from_ical(out.read_bytes()).walk("VEVENT")) == 1
