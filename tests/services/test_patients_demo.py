"""The demo generator registers valid, varied patients through the service."""

from __future__ import annotations

import random
from pathlib import Path

from hms_desktop.domain.patient import parse_phone
from hms_desktop.services.container import build_services
from hms_desktop.services.demo import patients as demo
from hms_desktop.storage import Store


def test_generate_registers_valid_varied_patients(data_dir: Path) -> None:
    store = Store(data_dir)
    try:
        services = build_services(store)
        progress: list[float] = []
        demo.generate(services, random.Random(5), patients=1200, progress=lambda s, f: progress.append(f))
        assert len(services.patients.table) == 1200
        assert progress[-1] == 1.0
        people = services.patients.table.all()
        assert any(not p.given_name.isascii() or not p.family_name.isascii() for p in people)
        assert len({p.family_name for p in people}) > 100
        assert len({p.date_of_birth.year for p in people}) > 60
        assert sum(bool(p.email) for p in people) > 600
        assert services.patients.search("garcía") == services.patients.search("GARCIA")
    finally:
        store.close()


def test_every_generated_phone_number_is_valid_in_the_number_plan() -> None:
    """The generator skips the per-number check for speed, so prove its numbers pass it."""
    for p in demo.fake_patients(random.Random(11), 3000):
        for number in (p.phone, p.emergency_phone):
            assert parse_phone(number) == number
