"""A second program on the same folder reads but never writes, and says why."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from hms_desktop.storage import Store

from .models import THINGS, Thing

ROOT = Path(__file__).resolve().parents[2]

SECOND = """
import sys
from hms_desktop.storage import ReadOnlyError, Store
from tests.storage.models import THINGS, Thing
from datetime import date
store = Store(sys.argv[1])
table = store.table(THINGS)
print(store.read_only, len(table), table.get("THG000001").name)
try:
    table.insert(Thing(name="x", born=date(2000, 1, 1)))
except ReadOnlyError as error:
    print("refused:", error)
store.close()
"""


def test_second_process_opens_read_only(data_dir: Path) -> None:
    store = Store(data_dir)
    store.table(THINGS).insert(Thing(name="Ann", born=date(1980, 5, 17)))
    result = subprocess.run(
        [sys.executable, "-c", SECOND, str(data_dir)], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True,
    )
    first, second = result.stdout.splitlines()
    assert first == "True 1 Ann"
    assert second.startswith("refused:") and "read-only" in second
    store.close()
    assert len(Store(data_dir, read_only=True).table(THINGS)) == 1
