"""Test support for the Record tab: a real Store, real services, the real background writer
and the application's AppContext."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from hms_desktop.domain.patient import Patient
from hms_desktop.domain.schedule_time import clinic_zone
from hms_desktop.services.bus import EventBus
from hms_desktop.services.writer import BackgroundWriter
from hms_desktop.storage import Store
from hms_desktop.ui.composition import close_context, open_context
from hms_desktop.ui.context import AppContext
from hms_desktop.ui.record import clock

PATIENT = "PAT000001"
OTHER = "PAT000002"


def make_context(services: Any, store: Store, bus: EventBus, writer: BackgroundWriter, data_dir: Path) -> AppContext:
    """A second window's context on parts the test opened itself."""
    return open_context(data_dir, services=services, writer=writer)


def add_patient(services: Any, given: str, family: str, birth: str, sex: str, blood: str) -> str:
    """Register a patient through the real PatientService; returns its id."""
    saved = services.patients.register(Patient(given_name=given, family_name=family,
                                               date_of_birth=date.fromisoformat(birth), sex=sex,
                                               blood_group=blood))
    return str(saved.id)


@pytest.fixture
def record_ctx(data_dir: Path, qapp: Any) -> Iterator[Any]:
    ctx = open_context(data_dir, actor="dr.test")
    try:
        yield ctx
    finally:
        close_context(ctx)
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
