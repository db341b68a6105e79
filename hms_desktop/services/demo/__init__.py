"""Synthetic demo data, generated through the same services and rules the UI uses.

Each feature adds ``hms_desktop/services/demo/<feature>.py`` with
``generate(services, rng, *, patients, progress)`` and lists it here in dependency order
(patients before anything that refers to a patient).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from importlib import import_module
from typing import Protocol

from hms_desktop.services.container import Services

Progress = Callable[[str, float], None]


class Generator(Protocol):
    def __call__(self, services: Services, rng: random.Random, *, patients: int, progress: Progress) -> None: ...


# Module names under hms_desktop.services.demo, in dependency order.
GENERATORS: list[str] = [
    "patients",
    "schedule",  # providers, availability, appointments for the patients
    "record",  # reads services.patients.ids()
    "care",
    "monitoring",  # beds and past monitoring sessions of demo patients
]


def generate_all(services: Services, *, patients: int, seed: int = 1, progress: Progress | None = None) -> None:
    """Run every generator; ``progress(step, fraction)`` reports overall progress 0..1."""
    report = progress or (lambda step, fraction: None)
    names = list(GENERATORS)
    for n, name in enumerate(names):
        module = import_module(f"hms_desktop.services.demo.{name}")
        rng = random.Random(f"{seed}:{name}")

        def scaled(step: str, fraction: float, n: int = n) -> None:
            report(step, (n + max(0.0, min(1.0, fraction))) / max(1, len(names)))

        module.generate(services, rng, patients=patients, progress=scaled)
    report("done", 1.0)
    services.store.checkpoint()
