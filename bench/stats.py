"""Percentiles and timing shared by the benchmarks (one definition of "p95" for every table)."""

from __future__ import annotations

import time
from collections.abc import Callable


def pct(samples: list[float], p: float) -> float:
    """The p-th percentile (nearest rank, p in 0..100) of ``samples``."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed(fn: Callable[[], object]) -> float:
    """Milliseconds one call of ``fn`` took."""
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000
