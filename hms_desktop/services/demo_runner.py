"""Runs every feature's demo generator in dependency order with one overall progress figure.

Used by ``python -m hms_desktop demo`` and by the first start of the app on an empty data
folder, so both produce the same data through the same services and rules.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

ProgressFn = Callable[[str, float], None]


def _generators() -> list[tuple[str, Callable[..., None]]]:
    """(name, generate) for each entry of GENERATORS, whether it lists modules or functions."""
    from hms_desktop.services.demo import GENERATORS

    found = []
    for entry in GENERATORS:
        fn = getattr(entry, "generate", entry)
        name = getattr(entry, "__name__", repr(entry)).rsplit(".", 1)[-1]
        if name == "generate":
            name = getattr(entry, "__module__", "demo").rsplit(".", 1)[-1]
        found.append((name, fn))
    return found


def generator_names() -> list[str]:
    return [name for name, _ in _generators()]


def run_generators(
    services: Any,
    *,
    patients: int,
    seed: int | None = None,
    progress: ProgressFn | None = None,
) -> list[str]:
    """Run all generators with one seeded RNG; returns the names run, in order.

    ``progress(step, fraction)`` gets the overall fraction 0..1: generator k of n maps its
    own 0..1 onto [k/n, (k+1)/n], so a progress bar moves forward only.
    """
    if patients < 0:
        raise ValueError("patients: must be 0 or more")
    rng = random.Random(seed)
    report = progress or (lambda _step, _fraction: None)
    steps = _generators()
    for index, (name, generate) in enumerate(steps):
        def scaled(step: str, fraction: float, _i: int = index, _name: str = name) -> None:
            fraction = min(max(fraction, 0.0), 1.0)
            report(f"{_name}: {step}", (_i + fraction) / len(steps))

        scaled("starting", 0.0)
        generate(services, rng, patients=patients, progress=scaled)
    report("demo data ready", 1.0)
    return [name for name, _ in steps]
