"""A kill -9 between an audit entry and its lines is a crash, not tampering: ``verify`` says
so before and after the folder is opened again, and the chain goes on from there."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from hms_desktop.domain.accounts import AccessEvent
from hms_desktop.storage import Store
from hms_desktop.storage.audit_verify import verify_folder

from .models import THINGS, Thing

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("target", ["journal", "day file"])
@pytest.mark.parametrize("mode", ["before", "torn"])
@pytest.mark.slow
def test_a_kill_between_an_entry_and_its_line_is_not_tampering(tmp_path: Path, target: str, mode: str) -> None:
    folder = tmp_path / "data"
    child = subprocess.run([sys.executable, "-m", "tests.storage.audit_crash_writer", str(folder),
                            "journal" if target == "journal" else "day", mode],
                           cwd=ROOT, capture_output=True, text=True, timeout=120,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert child.returncode == -9, child.stdout + child.stderr
    acknowledged = child.stdout.split()
    assert len(acknowledged) == 5 and "not killed" not in child.stdout

    before = verify_folder(folder)  # looked at as the crash left it
    assert before.intact, before.problems
    assert any("interrupted" in note for note in before.notes)

    store = Store(folder)  # the next start: the interrupted entry is voided, torn bytes cut
    table = store.table(THINGS)
    assert all(record_id in table for record_id in acknowledged)
    assert not [name for name in table.column("name") if name.startswith("never saved")]
    table.insert(Thing(name="after the crash", born=date(1990, 1, 1)))
    store.day_log("access", AccessEvent).append(
        [AccessEvent(at=datetime.now(UTC), user="ann", action="opened record", patient_id="P9")])
    store.close()
    after = verify_folder(folder)
    assert after.intact, after.problems


@pytest.mark.slow
def test_verify_beside_a_running_writer_reports_nothing(tmp_path: Path) -> None:
    """The writer appends and moves journals into history (a checkpoint every 7 changes)
    while verify reads: lines and moves newer than the chain it read are caught up, not named."""
    folder = tmp_path / "data"
    child = subprocess.Popen([sys.executable, "-m", "tests.storage.crash_writer", str(folder), "7"],
                             cwd=ROOT, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        for _ in range(8):
            report = verify_folder(folder)
            assert report.intact, report.problems
    finally:
        child.kill()
        child.communicate()
