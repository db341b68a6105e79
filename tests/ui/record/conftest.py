"""Test support for the Record tab: a real Store, real services, the real background writer
and the application's AppContext.

Until the shell's ``hms_desktop.ui.context.AppContext`` is on this branch, a minimal context
with the same contract (docs/contracts.md: current_patient, changes, navigation, run) stands
in for it; the fixture switches to the real one automatically once it exists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, Signal

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


class _Navigation(QObject):
    sig_booking_requested = Signal(dict)
    sig_visit_log_requested = Signal(dict)
    sig_tab_requested = Signal(str)

    def request_booking(self, **kw: Any) -> None:
        self.sig_booking_requested.emit(dict(kw))

    def request_visit_log(self, **kw: Any) -> None:
        self.sig_visit_log_requested.emit(dict(kw))

    def show_tab(self, title: str) -> None:
        self.sig_tab_requested.emit(title)


class _Poster(QObject):
    sig_posted = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.sig_posted.connect(lambda fn: fn())


class _StandInContext:
    """Same contract as AppContext for what the Record tab uses (see module docstring)."""

    def __init__(self, services: Any, store: Store, bus: EventBus, writer: BackgroundWriter) -> None:
        self.services, self.store, self.writer = services, store, writer
        self.settings = None
        self.current_patient = _Current()
        self.changes = _Changes()
        self.navigation = _Navigation()
        self._poster = _Poster()
        bus.subscribe(self.changes.sig_changed.emit)

    def run(self, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], Any] | None = None, what: str = "saving", **kw: Any) -> Future[Any]:
        future = self.writer.submit(fn, *args, **kw)

        def finished(done: Future[Any]) -> None:
            exc = done.exception()
            if exc is None and on_done is not None:
                result = done.result()
                self._poster.sig_posted.emit(lambda: on_done(result))
            elif exc is not None and on_error is not None:
                self._poster.sig_posted.emit(lambda: on_error(exc))

        future.add_done_callback(finished)
        return future


def _make_context(services: Any, store: Store, bus: EventBus, writer: BackgroundWriter, data_dir: Path) -> Any:
    try:
        from hms_desktop.domain.clinic_settings import ClinicSettings
        from hms_desktop.ui.context import AppContext
    except ImportError:
        return _StandInContext(services, store, bus, writer)
    return AppContext(services=services, store=store, bus=bus, writer=writer, settings=ClinicSettings(),
                      data_dir=data_dir)


class _PatientLookup:
    """Only when the Patients feature is absent: the header's name/age/sex/blood group source."""

    def __init__(self) -> None:
        self.rows: dict[str, Any] = {}

    def get(self, patient_id: str) -> Any | None:
        return self.rows.get(patient_id)


def add_patient(services: Any, given: str, family: str, birth: str, sex: str, blood: str) -> str:
    """Register a patient through the real PatientService when present; returns its id."""
    from datetime import date
    from types import SimpleNamespace

    patients = getattr(services, "patients", None)
    if patients is not None and hasattr(patients, "register"):
        from hms_desktop.domain.patient import Patient  # type: ignore[import-not-found]

        saved = patients.register(Patient(given_name=given, family_name=family,
                                           date_of_birth=date.fromisoformat(birth), sex=sex, blood_group=blood))
        return str(saved.id)
    if patients is None:
        patients = _PatientLookup()
        services.patients = patients
    pid = f"PAT{len(patients.rows) + 1:06d}"
    patients.rows[pid] = SimpleNamespace(given_name=given, family_name=family,
                                         date_of_birth=date.fromisoformat(birth), sex=sex, blood_group=blood)
    return pid


@pytest.fixture
def record_ctx(data_dir: Path, qapp: Any) -> Iterator[Any]:
    store = Store(data_dir, actor="dr.test")
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
def record_tab(qtbot: Any, record_ctx: Any) -> Any:
    """The real Record tab, shown, on a fresh data folder."""
    from hms_desktop.ui.record.tab import RecordTab

    widget = RecordTab(record_ctx)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    return widget
