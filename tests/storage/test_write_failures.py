"""A write that cannot reach the disk raises, changes nothing, and leaves the files clean."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from hms_desktop.storage import Store

from .models import THINGS, Thing

ROOT = Path(__file__).resolve().parents[2]

DISK_FULL = """
import resource, signal, sys
from datetime import date
from hms_desktop.storage import Store
from tests.storage.models import THINGS, Thing
store = Store(sys.argv[1])
table = store.table(THINGS)
table.insert(Thing(name="before", born=date(2000, 1, 1)))
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG, as a full disk gives ENOSPC
size = table.journal_path.stat().st_size
resource.setrlimit(resource.RLIMIT_FSIZE, (size + 40, resource.RLIM_INFINITY))
try:
    table.insert(Thing(name="x" * 200, born=date(2000, 1, 1)))
except OSError as error:
    print("refused", error.errno, len(table))
resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
print(table.insert(Thing(name="after", born=date(2000, 1, 1))).id)
"""


def test_disk_full_is_an_error_and_the_journal_stays_clean(data_dir: Path) -> None:
    result = subprocess.run([sys.executable, "-c", DISK_FULL, str(data_dir)], cwd=ROOT, capture_output=True,
                            text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    refused, after = result.stdout.split("\n")[:2]
    assert refused.startswith("refused") and refused.endswith(" 1")  # nothing changed in memory
    assert after == "THG000002"  # the failed record's ID was not consumed
    store = Store(data_dir)
    assert [t.name for t in store.table(THINGS).all()] == ["before", "after"]
    assert store.quarantine == []  # no partial line was left behind
    store.close()


def test_vanished_data_folder_is_an_error_not_a_silent_loss(tmp_path: Path) -> None:
    folder = tmp_path / "usb-stick"
    store = Store(folder)
    table = store.table(THINGS)
    table.insert(Thing(name="Ann", born=date(2000, 1, 1)))
    shutil.rmtree(folder)
    with pytest.raises(FileNotFoundError, match="removed"):
        table.insert(Thing(name="Bo", born=date(2000, 1, 1)))
    assert len(table) == 1
