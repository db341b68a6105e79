"""The schedule demo books through the rules: every status present, no clash anywhere.

How long it takes is measured by bench/schedule_demo.py (a wall-clock bound here failed once
on a loaded machine, with nothing wrong)."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from hms_desktop.domain.schedule_conflicts import ConflictIndex, resources_of
from hms_desktop.domain.scheduling import BLOCKING
from hms_desktop.services.container import build_services
from hms_desktop.services.demo import schedule
from hms_desktop.storage import Store
from tests.schedule_support import seed_patients


@pytest.mark.slow
def test_demo_schedule_is_conflict_free_and_has_every_status(data_dir: Path) -> None:
    store = Store(data_dir)
    try:
        services = build_services(store)
        seed_patients(store, 300)
        steps: list[float] = []
        schedule.generate(services, random.Random(7), patients=300,
                          progress=lambda step, f: steps.append(f))
        assert steps[0] == 0.0 and steps[-1] == 1.0
        appts = services.scheduling.appointments.all()
        assert len(appts) > 1000
        assert set(Counter(a.status for a in appts)) == {"booked", "checked_in", "completed", "cancelled",
                                                         "no_show"}
        assert len({a.series_id for a in appts if a.series_id}) == 3  # one per nurse
        index = ConflictIndex()
        for a in sorted(appts, key=lambda a: a.start):
            if a.status in BLOCKING:
                assert not index.conflicts(resources_of(a), a.start, a.end), a.id
                index.add(a)
        assert all(services.scheduling.within_hours(a) for a in appts[:500])
    finally:
        store.close()
