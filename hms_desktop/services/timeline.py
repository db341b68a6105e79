"""The patient timeline: a registry of sources, each feature contributing its own entries.

A source is ``fn(services, patient_id) -> list[TimelineEntry]``. Features register at import
(``register_timeline_source(my_source)``) so the timeline never imports their tables, and a
new feature appears in the timeline without touching this file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from hms_desktop.domain.timeline import TimelineEntry, newest_first

TimelineSource = Callable[[Any, str], list[TimelineEntry]]

_SOURCES: list[TimelineSource] = []
log = logging.getLogger(__name__)


def register_timeline_source(fn: TimelineSource) -> TimelineSource:
    """Add a source (idempotent, so re-importing a module does not double its entries).
    Returns ``fn`` so it can be used as a decorator."""
    if fn not in _SOURCES:
        _SOURCES.append(fn)
    return fn


def timeline_sources() -> list[TimelineSource]:
    return list(_SOURCES)


@dataclass(frozen=True, slots=True)
class Timeline:
    """The entries, newest first, and the sources that failed (named, so the view can say so)."""

    entries: list[TimelineEntry]
    failed_sources: list[str] = field(default_factory=list)


def collect_timeline(services: Any, patient_id: str, kinds: Iterable[str] | None = None) -> Timeline:
    """Every entry about the patient, newest first, optionally only the given kinds.

    A failing source is logged and reported rather than blanking the whole timeline: one
    broken feature must not hide everything else from the clinician.
    """
    wanted = set(kinds) if kinds is not None else None
    entries: list[TimelineEntry] = []
    failed: list[str] = []
    for source in list(_SOURCES):
        try:
            got = source(services, patient_id)
        except Exception:
            log.exception("timeline source %s failed", getattr(source, "__qualname__", source))
            failed.append(getattr(source, "__qualname__", repr(source)))
            continue
        entries.extend(e for e in got if wanted is None or e.kind in wanted)
    return Timeline(newest_first(entries), failed)


def timeline_for(services: Any, patient_id: str, kinds: Iterable[str] | None = None) -> list[TimelineEntry]:
    """Shorthand for the entries of ``collect_timeline``."""
    return collect_timeline(services, patient_id, kinds).entries
