"""Test support for the Record tab: a real Store, real services, the real background writer
and the application's AppContext."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from hms_desktop.domain.clinic_settings import ClinicSettings
from hms_desktop.domain.patient import Patient
from hms_desktop.domain.schedule_time import clinic_zone
from hms_desktop.services.bus import EventBus
from hms_desktop.services.container import build_services
from hms_desktop.services.writer import BackgroundWriter
from hms_desktop.storage import Store
from hms_desktop.ui.context import AppContext
from hms_desktop.ui.record import clock

PATIENT = "PAT000001"
OTHER = "PAT000002"


def make_context(services: Any, store: Store, bus: EventBus, writer: BackgroundWriter, data_dir: Path) -> AppContext:
    return AppContext(services=services, store=store, bus=bus, writer=writer, settings=ClinicSettings(),
                      data_dir=data_dir)


def add_patient(services: Any, given: str, family: str, birth: str, sex: str, blood: str) -> str:
    """Register a patient through the real PatientService; returns its id."""
    saved = services.patients.register(Patient(given_name=given, family_name=family,
                                               date_of_birth=date.fromisoformat(birth), sex=sex,
                                               blood_group=blood))
    return str(saved.id)


@pytest.fixture
def record_ctx(data_dir: Path, qapp: Any) -> Iterator[Any]:
    store = Store(data_dir, actor="dr.test")
    bus = EventBus()
    services = build_services(store, bus)
    writer = BackgroundWriter()
    ctx = make_context(services, store, bus, writer, data_dir)
    try:
        yield ctx
    finally:
        writer.shutdown()
        store.close()
        clock.set_zone(clinic_zone())  # the tab sets a module-wide display zone


@pytest.fixture
def record_tab(qtbot: Any, record_ctx: Any) -> Any:
    """The real Record tab, shown, on a fresh data folder."""
    from hms_desktop.ui.record.tab import RecordTab

    widget = RecordTab(record_ctx)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    return widget
