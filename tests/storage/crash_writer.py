"""Child process for the crash test: writes forever, printing each ID once it is acknowledged.

The table is first filled with a few thousand rows, so that a checkpoint (a rewrite of the
whole table) takes long enough for kills to land inside it; batches of 20 rows are written
as one journal group, and updates interleave.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

from hms_desktop.storage import Store
from tests.storage.models import THINGS, Thing

store = Store(Path(sys.argv[1]), checkpoint_every=int(sys.argv[2]))
table = store.table(THINGS)
if len(table) < 3000:
    table.insert_many([Thing(name=f"filler {k}", born=date(1990, 1, 1), note="x" * 80) for k in range(3000)])
print("ready", flush=True)
n = 0
while True:
    n += 1
    if n % 5 == 0:
        saved = table.insert_many([Thing(name=f"batch {os.getpid()} {n}", born=date(1990, 1, 1), score=k) for k in range(20)])
        print("batch " + " ".join(record.id for record in saved), flush=True)
    elif n % 3 == 0 and len(table):
        record = table.update(table.ids()[-1], {"score": n})
        print(f"{record.id}:{n}", flush=True)
    else:
        print(table.insert(Thing(name=f"=row {n}", born=date(1990, 1, 1), note="-x\nsecond line")).id, flush=True)
