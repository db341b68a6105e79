"""Test support for the care pages: a real Store, real services, the real background writer.

Until the shell's ``hms_desktop.ui.context.AppContext`` is on this branch, a minimal context
with the same contract (docs/contracts.md: current_patient, changes, run) stands in; the
fixture switches to the real AppContext as soon as it can be imported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from hms_desktop.services.bus import EventBus
from hms_desktop.services.container import build_services
from hms_desktop.services.writer import BackgroundWriter
from hms_desktop.storage import Store

PATIENT = "PAT000001"
OTHER = "PAT000002"


class _Current(QObject):
    sig_patient_changed = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.patient_id = ""

    def select(self, patient_id: str) -> None:
        if patient_id != self.patient_id:
            self.patient_id = patient_id
            self.sig_patient_changed.emit(patient_id)


class _Changes(QObject):
    sig_changed = Signal(object)


class _Poster(QObject):
    sig_posted = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.sig_posted.connect(lambda fn: fn())


class _StandInContext:
    def __init__(self, services: Any, store: Store, bus: EventBus, writer: BackgroundWriter) -> None:
        self.services, self.store, self.writer = services, store, writer
        self.settings = None
        self.current_patient = _Current()
        self.changes = _Changes()
        self._poster = _Poster()
        self.failures: list[str] = []
        bus.subscribe(self.changes.sig_changed.emit)

    def run(self, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], Any] | None = None, what: str = "saving",
            **kw: Any) -> Future[Any]:
        future = self.writer.submit(fn, *args, **kw)

        def finished(done: Future[Any]) -> None:
            exc = done.exception()
            if exc is None and on_done is not None:
                result = done.result()
                self._poster.sig_posted.emit(lambda: on_done(result))
            elif exc is not None:
                def report() -> None:
                    if not (on_error and on_error(exc)):
                        self.failures.append(f"{what}: {exc}")
                self._poster.sig_posted.emit(report)

        future.add_done_callback(finished)
        return future


def _make_context(services: Any, store: Store, bus: EventBus, writer: BackgroundWriter,
                  data_dir: Path) -> Any:
    try:
        from hms_desktop.domain.clinic_settings import ClinicSettings
        from hms_desktop.ui.context import AppContext
    except ImportError:
        return _StandInContext(services, store, bus, writer)
    return AppContext(services=services, store=store, bus=bus, writer=writer,
                      settings=ClinicSettings(), data_dir=data_dir)


@contextmanager
def make_context(data_dir: Path) -> Iterator[Any]:
    """A context on a real store, services and writer; everything closed on exit."""
    store = Store(data_dir, actor="nurse.test")
    bus = EventBus()
    services = build_services(store, bus)
    writer = BackgroundWriter()
    ctx = _make_context(services, store, bus, writer, data_dir)
    try:
        yield ctx
    finally:
        writer.shutdown()
        store.close()


@pytest.fixture
def care_ctx(data_dir: Path, qapp: Any) -> Iterator[Any]:
    with make_context(data_dir) as ctx:
        yield ctx


def find(root: QWidget, accessible: str) -> Any:
    """The one widget under ``root`` with this accessible name (how a screen reader finds it)."""
    hits = [w for w in root.findChildren(QWidget) if w.accessibleName() == accessible]
    assert len(hits) == 1, f"{len(hits)} widgets named {accessible!r}"
    return hits[0]


def drain(ctx: Any, qtbot: QtBot) -> None:
    """Let queued writes finish and their GUI-thread callbacks run."""
    ctx.writer.drain()
    qtbot.wait(30)
    ctx.writer.drain()
    qtbot.wait(10)


def open_page(factory: Callable[[Any], QWidget], ctx: Any, qtbot: QtBot,
              patient: str = PATIENT) -> Any:
    """A page made by its factory, with ``patient`` selected."""
    page = factory(ctx)
    qtbot.addWidget(page)
    ctx.current_patient.select(patient)
    return page


def click(root: QWidget, name: str, ctx: Any, qtbot: QtBot) -> None:
    """Click the button with this accessible name and let its write finish."""
    from PySide6.QtCore import Qt

    qtbot.mouseClick(find(root, name), Qt.MouseButton.LeftButton)
    drain(ctx, qtbot)
