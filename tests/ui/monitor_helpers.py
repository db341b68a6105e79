"""Helpers for the monitor UI tests: a real data folder, service, controller and speaker."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hms_desktop.domain.monitoring import Bed
from hms_desktop.monitoring.sound import RecordingSound
from hms_desktop.services.bus import EventBus
from hms_desktop.services.monitoring import MonitoringService
from hms_desktop.storage import Store
from hms_desktop.ui.composition import opened_context
from hms_desktop.ui.context import AppContext
from hms_desktop.ui.monitor.controller import StationController
from hms_desktop.ui.monitor.monitor_tab import build_controller
from tests.monitoring.helpers import sync_run


def make_station(data_dir: Path, beds: int = 3, *, audio: bool = True,
                 **kw: Any) -> tuple[Store, MonitoringService, StationController, RecordingSound]:
    store = Store(data_dir, actor="nurse.test")
    service = MonitoringService(store, EventBus())
    service.add_beds([Bed(id=f"BED{i + 1:02d}", name=f"Bed {i + 1}", position=i) for i in range(beds)])
    sound = RecordingSound(available=audio)
    controller = StationController(service, sync_run, sound=sound, user="nurse.test", **kw)
    return store, service, controller, sound


@contextmanager
def monitor_context(data_dir: Path, actor: str) -> Iterator[AppContext]:
    """A real AppContext with two beds and the station controller (a recording speaker: the test
    machine has no audio output); stops the controller, writer and store afterwards."""
    with opened_context(data_dir, actor=actor) as context:
        context.services.monitoring.add_beds([Bed(id="BED01", name="Bed 1"),
                                              Bed(id="BED02", name="Bed 2", position=1)])
        build_controller(context, sound=RecordingSound())
        yield context
