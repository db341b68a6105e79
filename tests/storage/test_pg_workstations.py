"""Several workstations on one PostgreSQL server, each a real process (docs/postgresql.md)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from pydantic import BaseModel

from hms_desktop.storage import TableSpec

from .models import THINGS, Thing

pytest_plugins = ["tests.storage.backend_fixtures"]

ROOT = Path(__file__).resolve().parents[2]
SLOTS = 40
pytestmark = pytest.mark.postgres


class Booking(BaseModel):
    id: str = ""
    slot: int
    by: str


BOOKINGS = TableSpec(name="bookings", model=Booking, id_prefix="BKG", schema_version=1)


def worker(url: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tests.storage.pg_worker", url, *args], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


def first_line(child: subprocess.Popen[str]) -> str:
    assert child.stdout is not None
    return child.stdout.readline().strip()


def open_store(url: str, **kw: object):  # type: ignore[no-untyped-def]
    from hms_desktop.storage.postgres import open_pg_store

    return open_pg_store(url, **kw)


def test_a_patient_registered_at_one_desk_reaches_the_other_within_a_second(pg_url: str) -> None:
    store = open_store(pg_url)
    store.table(THINGS)
    other = worker(pg_url, "listen", "3")
    try:
        assert first_line(other) == "ready"
        delays = []
        for name in ("Ann", "Bob", "Cy"):
            saved = store.table(THINGS).insert(Thing(name=name, born=date(1980, 5, 17)))
            committed = time.time()
            seen, at = first_line(other).split()[1:]  # pushed: the other process never polls
            assert seen == saved.id
            delays.append(float(at) - committed)
        # Within a second; the best of three, so one scheduling stall on the shared 2-core
        # machine does not fail it (bench/postgresql.py measures the p95 at 100,000 patients).
        assert min(delays) < 1.0, delays
    finally:
        other.kill()
        other.wait()
        store.close()


def test_the_second_edit_of_one_record_is_refused_naming_who_changed_it(pg_url: str) -> None:
    from hms_desktop.storage.postgres.errors import ConcurrentEditError

    store = open_store(pg_url, actor="consulting-room")
    table = store.table(THINGS)
    saved = table.insert(Thing(name="Ann", born=date(1980, 5, 17)))
    opened_version = table.meta(saved.id).version  # the form is opened here
    reception = worker(pg_url, "edit", saved.id, "Anna")
    assert first_line(reception) == "saved 2"
    reception.wait()
    with pytest.raises(ConcurrentEditError) as refused:
        table.update(saved.id, {"name": "Annie"}, expected_version=opened_version)
    assert "changed by" in str(refused.value) and "not saved" in str(refused.value)
    assert refused.value.theirs.name == "Anna"
    store.close()
    again = open_store(pg_url).table(THINGS)
    assert [v.record.name for v in again.history(saved.id)] == ["Ann", "Anna"]
    again._store.close()


def test_a_save_refused_by_the_server_half_way_keeps_nothing_and_reuses_no_id(pg_url: str) -> None:
    """A save is one round trip committed at its end: a row the server refuses (an ID another
    desk took, unknown to this desk's copy) takes the rows before it in the same save along."""
    reception = open_store(pg_url, listen=False)
    consulting = open_store(pg_url, listen=False)
    desk, other = reception.table(THINGS), consulting.table(THINGS)
    taken = other.insert(Thing(name="Ann", born=date(1980, 5, 17))).id
    with pytest.raises(ValueError, match=taken):
        desk.insert_many([Thing(name="Bob", born=date(1990, 1, 1)),
                          Thing(id=taken, name="Cy", born=date(1991, 1, 1))])
    later = desk.insert(Thing(name="Dee", born=date(1992, 1, 1)))
    reception.close()
    consulting.close()
    table = open_store(pg_url).table(THINGS)
    assert sorted(r.name for r in table.all()) == ["Ann", "Dee"]  # Bob was not saved
    assert later.id == "THG000003"  # Bob's number (2) is not handed out again
    table._store.close()


def test_two_desks_booking_at_random_never_double_book(pg_url: str) -> None:
    setup = open_store(pg_url)
    setup.table(BOOKINGS)
    setup.close()
    desks = [worker(pg_url, "book", "500", str(seed)) for seed in (1, 2)]
    outputs = []
    for desk in desks:
        out, _ = desk.communicate(timeout=300)
        assert desk.returncode == 0
        outputs.append(out)
    store = open_store(pg_url)
    rows = store.table(BOOKINGS).all()
    store.close()
    per_slot = Counter(r.slot for r in rows)
    assert max(per_slot.values()) == 1  # zero double bookings
    acknowledged = {line.split()[1] for out in outputs for line in out.splitlines() if line.startswith("booked")}
    assert acknowledged == {r.id for r in rows}
    assert len(rows) == SLOTS  # 1,000 attempts fill every slot exactly once


def test_killing_a_workstation_mid_write_loses_nothing_acknowledged(pg_url: str) -> None:
    rng = random.Random(15)
    acknowledged: list[str] = []
    for _ in range(5):
        child = worker(pg_url, "write")
        assert first_line(child) == "ready"
        time.sleep(rng.uniform(0.05, 0.4))
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate()
        acknowledged += [line for line in out.splitlines() if line.startswith("THG")]
    store = open_store(pg_url)
    table = store.table(THINGS)
    assert set(acknowledged) <= set(table.ids())
    assert all(table.meta(i).version == 1 for i in table.ids())
    assert len(set(table.ids())) == len(table.ids())
    store.close()


def test_a_server_restart_is_survived_without_losing_an_acknowledged_write(pg_url: str) -> None:
    restart = os.environ.get("HMS_TEST_PG_RESTART", "")
    if not restart:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but HMS_TEST_PG_RESTART (the command restarting the server) is unset")
        pytest.skip("set HMS_TEST_PG_RESTART to the command that restarts the test server")
    child = worker(pg_url, "write")
    try:
        assert first_line(child) == "ready"
        time.sleep(0.3)
        subprocess.run(restart, shell=True, check=True, timeout=120)
        time.sleep(1.0)  # writes resume after the restart
    finally:
        child.send_signal(signal.SIGTERM)
        out, _ = child.communicate(timeout=60)
    lines = out.splitlines()
    acknowledged = [line for line in lines if line.startswith("THG")]
    assert any("server unavailable" in line for line in lines), lines[-5:]
    unavailable_at = next(i for i, line in enumerate(lines) if "server unavailable" in line)
    assert any(line.startswith("THG") for line in lines[unavailable_at:])  # it retried and went on
    store = open_store(pg_url)
    assert set(acknowledged) <= set(store.table(THINGS).ids())
    store.close()
