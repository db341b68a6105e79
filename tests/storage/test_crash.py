"""kill -9 at random moments, 200 times — inside appends, batches and checkpoints: nothing
acknowledged is lost, no batch is half there, no ID is issued twice, nothing is corrupted."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from hms_desktop.storage import INTERRUPTED, Store
from hms_desktop.storage.audit_verify import verify_folder

from .models import THINGS

ROOT = Path(__file__).resolve().parents[2]
KILLS = int(os.environ.get("HMS_CRASH_KILLS", "200"))


def run_and_kill(folder: Path, rng: random.Random, *,
                 in_checkpoint: bool = False) -> tuple[list[str], dict[str, int]]:
    """Start the writer, let it run a random while, SIGKILL it; return what it acknowledged.

    ``in_checkpoint``: kill as soon as a checkpoint's temporary file appears (checkpoints got
    fast enough that random moments alone landed in one only 2 times in 200)."""
    every = 7 if in_checkpoint else rng.choice([7, 40, 10_000])
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.storage.crash_writer", str(folder), str(every)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    if in_checkpoint:
        deadline = time.monotonic() + 10
        while not (folder / "things.csv.tmp").exists() and time.monotonic() < deadline:
            pass  # a busy poll: a checkpoint of a few thousand rows lasts milliseconds
    else:
        time.sleep(rng.uniform(0.0, 0.2))
    child.send_signal(signal.SIGKILL)
    output, _ = child.communicate()
    inserted, updated = [], {}
    for line in output.splitlines():
        if line.startswith("batch "):
            inserted += line.split()[1:]
        elif ":" in line:
            record_id, score = line.split(":")
            updated[record_id] = int(score)
        elif line:
            inserted.append(line)
    return inserted, updated


def killed_inside_a_checkpoint(folder: Path) -> bool:
    """The manifest names a checkpoint in progress, or its temporary file is still there."""
    if (folder / "things.csv.tmp").exists():
        return True
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8-sig"))
    return bool(manifest["tables"].get("things", {}).get("pending"))


@pytest.mark.slow
@pytest.mark.timeout(300)  # 200 writer processes killed and 200 opens: ~110 s on an idle CI machine
def test_two_hundred_kills_lose_nothing_acknowledged(tmp_path: Path) -> None:
    rng = random.Random(20261203)
    folder = tmp_path / "data"
    acknowledged: list[str] = []
    scores: dict[str, int] = {}
    inside_checkpoints = 0
    for kill in range(KILLS):
        inserted, updated = run_and_kill(folder, rng, in_checkpoint=kill % 20 == 10)
        acknowledged += inserted
        scores.update(updated)
        inside_checkpoints += killed_inside_a_checkpoint(folder)
        if kill % 5 == 4:  # a kill between an audit entry and its lines is no tampering (a false
            # finding would stay until the next look; every kill would double the test's time)
            chain = verify_folder(folder)
            assert chain.intact, f"kill {kill}: {chain.problems}"
        # Mostly a read-only look (the next writer recovers the folder itself); every tenth
        # time a writer opens and closes it here (recovery and a checkpoint in this process).
        store = Store(folder, read_only=kill % 10 != 9)
        assert not store.integrity_problems, f"kill {kill}: {store.read_only_reason}"
        table = store.table(THINGS)
        missing = [i for i in acknowledged if i not in table]
        assert not missing, f"kill {kill}: acknowledged but lost: {missing[:5]}"
        for record_id, score in scores.items():
            assert table.get(record_id).score >= score  # type: ignore[union-attr]
        batches = Counter(name for name in table.column("name") if name.startswith("batch "))
        assert set(batches.values()) <= {20}, f"kill {kill}: a batch is half there"
        bad = [q for q in store.quarantine if q.reason not in INTERRUPTED]
        assert not bad, bad
        store.close()
        if kill % 50 == 49:
            check = subprocess.run(
                [sys.executable, "-m", "hms_desktop", "check", "--data-dir", str(folder)], cwd=ROOT,
                capture_output=True, text=True,
                env={**os.environ, "PYTHONPATH": str(ROOT), "HMS_EXTRA_STORAGE_MODULES": "tests.storage.models"},
            )
            assert check.returncode == 0, check.stdout + check.stderr
            assert f"things: {len(table)} row(s)" in check.stdout
    assert len(acknowledged) > 1000
    assert len(set(acknowledged)) == len(acknowledged)  # no ID was acknowledged twice
    assert inside_checkpoints >= 5, inside_checkpoints
