"""What the monitoring station talks to: device sources, the views' listener, the reader's
thread sink, and the callables the app hands it (run on the writer, name and NEWS2 lookups)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from hms_desktop.domain.live_news2 import ManualObservation
from hms_desktop.domain.readings import Reading

Run = Callable[..., Any]
ManualLookup = Callable[[str], ManualObservation | None]
NameLookup = Callable[[str], str]
STATION = "STATION"
UNSAVED_SESSION = "UNSAVED-"  # id prefix of a session monitored without being saved


class ReadingSource(Protocol):
    """A device reader or simulator (``devices/sources.py``): two signals, start and stop;
    optionally ``set_thread_sink`` to deliver on the reader's own thread."""

    sig_readings_received: Any
    sig_state_changed: Any

    def start(self) -> None: ...

    def stop(self) -> None: ...


SourceFactory = Callable[[str, str], ReadingSource]


class StationListener(Protocol):
    """What the station tells its views (the Qt adapter re-emits these as signals). Called
    from any thread, never with the station's lock held."""

    def beds_changed(self) -> None: ...

    def alarms_changed(self) -> None: ...

    def audio_pause_changed(self, seconds_left: int) -> None: ...

    def error_reported(self, message: str) -> None: ...


class NullListener:
    """A station nobody watches (tests of the core alone)."""

    def beds_changed(self) -> None:
        pass

    def alarms_changed(self) -> None:
        pass

    def audio_pause_changed(self, seconds_left: int) -> None:
        pass

    def error_reported(self, message: str) -> None:
        pass



@dataclass(frozen=True)
class StationSink:
    """The receivers a reader calls on its own thread (shape of ``devices.worker.ThreadSink``)."""

    on_batch: Callable[[tuple[Reading, ...]], None]
    on_state: Callable[[str], None]
    on_problem: Callable[[str], None]
    gui_batches: bool = False  # the frame timer drains the pleth: no queued signal per batch


def no_source(port: str, protocol: str) -> ReadingSource:
    raise ValueError(f"no device factory to open {port} ({protocol})")

