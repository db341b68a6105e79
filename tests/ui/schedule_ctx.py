"""A minimal AppContext for Schedule widget tests until ui/context.py is on main.

It follows docs/contracts.md: ``run`` executes on the real BackgroundWriter and calls back
on the GUI thread; ``changes.sig_changed`` re-emits bus changes on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, Qt, Signal

from hms_desktop.services.bus import EventBus
from hms_desktop.services.container import Services, build_services
from hms_desktop.services.writer import BackgroundWriter
from hms_desktop.storage import Store
from tests.schedule_support import seed


class _Changes(QObject):
    sig_changed = Signal(object)


class _Marshal(QObject):
    sig_call = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.sig_call.connect(lambda fn: fn(), Qt.ConnectionType.QueuedConnection)


class Navigation(QObject):
    sig_booking_requested = Signal(dict)

    def __init__(self) -> None:
        super().__init__()
        self.visit_requests: list[dict[str, Any]] = []

    def request_visit_log(self, **kw: Any) -> None:
        self.visit_requests.append(kw)


class ScheduleTestContext:
    def __init__(self, store: Store, services: Services, writer: BackgroundWriter) -> None:
        self.store, self.services, self.writer = store, services, writer
        self.settings: dict[str, Any] = {"clinic_timezone": "Europe/London"}
        self.changes = _Changes()
        self.navigation = Navigation()
        self.errors: list[BaseException] = []
        self._marshal = _Marshal()
        services.bus.subscribe(lambda change: self._marshal.sig_call.emit(
            lambda: self.changes.sig_changed.emit(change)))

    def run(self, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None, what: str = "", **kw: Any) -> None:
        future = self.writer.submit(fn, *args, **kw)

        def finished(f: Any) -> None:
            exc = f.exception()
            if exc is None:
                self._marshal.sig_call.emit(lambda: on_done(f.result()) if on_done else None)
            else:
                self.errors.append(exc)
                self._marshal.sig_call.emit(lambda: on_error(exc) if on_error else None)

        future.add_done_callback(finished)


@pytest.fixture
def ctx(data_dir: Path) -> Iterator[ScheduleTestContext]:
    store = Store(data_dir, actor="tester")
    services = build_services(store, EventBus())
    services.scheduling.set_clinic_tz("Europe/London")
    seed(services.scheduling)
    writer = BackgroundWriter()
    yield ScheduleTestContext(store, services, writer)
    writer.shutdown()
    store.close()
