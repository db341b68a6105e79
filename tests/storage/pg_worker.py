"""A second workstation for the PostgreSQL tests, run as its own process.

    python -m tests.storage.pg_worker URL listen [N]  -> prints "ready", then "seen <id> <epoch>" N times
    python -m tests.storage.pg_worker URL edit ID NAME -> prints "saved <version>"
    python -m tests.storage.pg_worker URL book N SEED  -> N random booking attempts; prints "booked <id>"
    python -m tests.storage.pg_worker URL write        -> inserts forever; prints each acknowledged id
"""

from __future__ import annotations

import random
import sys
import threading
import time
from datetime import date

from hms_desktop.storage.backend import StoredChange, exclusive
from hms_desktop.storage.postgres import open_pg_store

from .models import THINGS, Thing
from .test_pg_workstations import BOOKINGS, SLOTS, Booking


def say(text: str) -> None:
    print(text, flush=True)


def main(url: str, mode: str, *args: str) -> None:
    store = open_pg_store(url, retry_for=60.0, on_status=lambda m: say(f"status {m}"))
    try:
        if mode == "listen":
            seen = threading.Semaphore(0)

            def on_change(change: StoredChange) -> None:
                if change.table == THINGS.name:
                    say(f"seen {','.join(change.ids)} {time.time():.6f}")
                    seen.release()

            store.table(THINGS)
            store.subscribe_changes(on_change)
            say("ready")
            for _ in range(int(args[0]) if args else 1):
                seen.acquire(timeout=30)
        elif mode == "edit":
            table = store.table(THINGS)
            saved = table.update(args[0], {"name": args[1]})
            say(f"saved {table.meta(saved.id).version}")
        elif mode == "book":
            table = store.table(BOOKINGS)
            rng = random.Random(int(args[1]))
            say("ready")
            for _ in range(int(args[0])):
                slot = rng.randrange(SLOTS)
                with exclusive(store, BOOKINGS.name):
                    if not table.where("slot", slot):
                        say(f"booked {table.insert(Booking(slot=slot, by=args[1])).id}")
        elif mode == "write":
            table = store.table(THINGS)
            say("ready")
            n = 0
            while True:
                n += 1
                say(table.insert(Thing(name=f"T{n}", born=date(2000, 1, 1))).id)
    finally:
        store.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
