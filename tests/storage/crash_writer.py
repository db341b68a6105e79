"""Child process for the crash test: writes forever, printing each ID once it is acknowledged."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from hms_desktop.storage import Store
from tests.storage.models import THINGS, Thing

store = Store(Path(sys.argv[1]), checkpoint_every=int(sys.argv[2]))
table = store.table(THINGS)
print("ready", flush=True)
n = 0
while True:
    n += 1
    if n % 5 == 0:
        saved = table.insert_many([Thing(name=f"batch {n} {k}", born=date(1990, 1, 1)) for k in range(3)])
        for record in saved:
            print(record.id, flush=True)
    elif n % 3 == 0 and len(table):
        record = table.update(table.ids()[-1], {"score": n})
        print(f"{record.id}:{n}", flush=True)
    else:
        print(table.insert(Thing(name=f"=row {n}", born=date(1990, 1, 1), note="-x")).id, flush=True)
