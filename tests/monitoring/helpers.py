"""A station on fake time for the monitoring-core tests: real service and data folder, a
hand-driven source, a recording speaker, no Qt."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from hms_desktop.domain.monitoring import Bed
from hms_desktop.domain.readings import DeviceFlag, Reading
from hms_desktop.monitoring.clock import FakeClock
from hms_desktop.monitoring.sound import RecordingSound
from hms_desktop.monitoring.station import MonitoringStation
from hms_desktop.services.bus import EventBus
from hms_desktop.services.monitoring import MonitoringService
from hms_desktop.storage import Store


class Hook:
    """The two calls the station makes on a source's signal: connect and disconnect."""

    def __init__(self) -> None:
        self.slots: list[Callable[[Any], None]] = []

    def connect(self, slot: Callable[[Any], None]) -> None:
        self.slots.append(slot)

    def disconnect(self) -> None:
        self.slots.clear()

    def emit(self, value: Any) -> None:
        for slot in list(self.slots):
            slot(value)


class ManualSource:
    """A device whose readings the test sends, one batch at a time."""

    def __init__(self) -> None:
        self.sig_readings_received = Hook()
        self.sig_state_changed = Hook()
        self.started = False

    def start(self) -> None:
        self.started = True
        self.sig_state_changed.emit("streaming")

    def stop(self) -> None:
        self.started = False
        self.sig_state_changed.emit("stopped")

    def send(self, spo2: int | None, pulse: int | None, flags: frozenset[DeviceFlag] = frozenset()) -> None:
        self.sig_readings_received.emit((Reading(spo2=spo2, pulse_rate=pulse, pleth=(0.5,), flags=flags),))


def sync_run(fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None] | None = None,
             on_error: Callable[[BaseException], Any] | None = None, what: str = "", **kw: Any) -> None:
    """Stands in for ctx.run: the same callbacks, run at once on this thread."""
    try:
        result = fn(*args, **kw)
    except Exception as exc:  # noqa: BLE001 - handed to on_error exactly like ctx.run does
        if on_error is None:
            raise
        on_error(exc)
        return
    if on_done is not None:
        on_done(result)


def make_core(data_dir: Path, *, beds: int = 1, run: Callable[..., Any] = sync_run,
              **kw: Any) -> tuple[Store, MonitoringService, MonitoringStation, FakeClock, RecordingSound]:
    store = Store(data_dir, actor="nurse.test")
    service = MonitoringService(store, EventBus())
    service.add_beds([Bed(id=f"BED{i + 1:02d}", name=f"Bed {i + 1}", position=i) for i in range(beds)])
    clock, sound = FakeClock(), RecordingSound()
    station = MonitoringStation(service, run, sound=sound, clock=clock, user="nurse.test", **kw)
    return store, service, station, clock, sound
