"""The patient timeline: every feature contributes its own entries through a source.

A source is ``fn(services, patient_id) -> list[TimelineEntry]``, defined beside the feature's
service (``record_timeline`` in ``record.py``, ``wearables_timeline`` in ``wearables.py`` …).
The composition root (``ui/composition.py: timeline_sources``) lists them, so the timeline
never imports a feature's tables and a feature never registers itself by being imported.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from hms_desktop.domain.timeline import TimelineEntry, newest_first

TimelineSource = Callable[[Any, str], list[TimelineEntry]]

log = logging.getLogger(__name__)


class ReadProgress(Protocol):
    """What a long read may consult (the UI's ``TaskState`` is one): stop if the user moved
    on, and say how far it is."""

    def check(self) -> None: ...

    def progress(self, done: int, total: int, text: str = "") -> None: ...


@dataclass(frozen=True, slots=True)
class Timeline:
    """The entries, newest first, and the sources that failed (named, so the view can say so)."""

    entries: list[TimelineEntry]
    failed_sources: list[str] = field(default_factory=list)


def source_name(source: TimelineSource) -> str:
    return str(getattr(source, "__qualname__", repr(source)))


def collect_timeline(services: Any, patient_id: str, sources: Sequence[TimelineSource],
                     kinds: Iterable[str] | None = None, *, state: ReadProgress | None = None) -> Timeline:
    """Every entry about the patient from ``sources``, newest first, optionally only the given kinds.

    A failing source is logged and reported rather than blanking the whole timeline: one
    broken feature must not hide everything else from the clinician. With a ``state`` the
    read stops between sources once the user has moved on, and reports each source done.
    """
    wanted = set(kinds) if kinds is not None else None
    entries: list[TimelineEntry] = []
    failed: list[str] = []
    for done, source in enumerate(sources):
        if state is not None:
            state.check()
            state.progress(done, len(sources), source_name(source))
        try:
            got = source(services, patient_id)
        except Exception:
            log.exception("timeline source %s failed", source_name(source))
            failed.append(source_name(source))
            continue
        entries.extend(e for e in got if wanted is None or e.kind in wanted)
    return Timeline(newest_first(entries), failed)
