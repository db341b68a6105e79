"""kill -9 at random moments, 50 times: nothing acknowledged is lost, nothing is corrupted."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hms_desktop.storage import TORN_WRITE, Store

from .models import THINGS

ROOT = Path(__file__).resolve().parents[2]


def run_and_kill(folder: Path, rng: random.Random) -> tuple[list[str], dict[str, int]]:
    """Start the writer, let it run a random while, SIGKILL it; return what it acknowledged."""
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.storage.crash_writer", str(folder), str(rng.choice([7, 50, 10_000]))],
        cwd=ROOT, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    time.sleep(rng.uniform(0.0, 0.25))
    child.send_signal(signal.SIGKILL)
    output, _ = child.communicate()
    inserted, updated = [], {}
    for line in output.splitlines():
        if ":" in line:
            record_id, score = line.split(":")
            updated[record_id] = int(score)
        elif line:
            inserted.append(line)
    return inserted, updated


@pytest.mark.slow
def test_fifty_kills_lose_nothing_acknowledged(tmp_path: Path) -> None:
    rng = random.Random(20261125)
    folder = tmp_path / "data"
    acknowledged: list[str] = []
    scores: dict[str, int] = {}
    for _ in range(50):
        inserted, updated = run_and_kill(folder, rng)
        acknowledged += inserted
        scores.update(updated)
        store = Store(folder)
        table = store.table(THINGS)
        missing = [i for i in acknowledged if i not in table]
        assert not missing, f"acknowledged but lost: {missing[:5]}"
        for record_id, score in scores.items():
            assert table.get(record_id).score >= score  # type: ignore[union-attr]
        # IDs are dense and never reused: the only gaps could be unacknowledged tails.
        assert len(set(table.ids())) == len(table)
        bad = [q for q in store.quarantine if q.reason != TORN_WRITE]
        assert not bad, bad
        store.close()
        check = subprocess.run(
            [sys.executable, "-m", "hms_desktop", "check", "--data-dir", str(folder)], cwd=ROOT,
            capture_output=True, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT), "HMS_EXTRA_STORAGE_MODULES": "tests.storage.models"},
        )
        assert check.returncode == 0, check.stdout + check.stderr
        assert f"things: {len(table)} row(s)" in check.stdout
    assert len(acknowledged) > 100
