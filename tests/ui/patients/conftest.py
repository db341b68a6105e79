"""The real AppContext on a temporary data folder, for the patient widget tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hms_desktop.domain.clinic_settings import ClinicSettings
from hms_desktop.services.bus import EventBus
from hms_desktop.services.container import build_services
from hms_desktop.services.writer import BackgroundWriter
from hms_desktop.storage import Store
from hms_desktop.ui.context import AppContext
from hms_desktop.ui.patients import common


class PatientsTestContext(AppContext):
    """AppContext that also remembers the write failures it would show in a message box."""

    failures: list[tuple[str, str]]


@pytest.fixture
def ctx(data_dir: Path, qapp: Any) -> Iterator[PatientsTestContext]:
    store = Store(data_dir, actor="tester")
    bus = EventBus()
    writer = BackgroundWriter()
    context = PatientsTestContext(services=build_services(store, bus), store=store, bus=bus,
                                  writer=writer, settings=ClinicSettings(phone_region="GB"),
                                  data_dir=data_dir)
    context.failures = []
    context.sig_failure_reported.connect(lambda what, why: context.failures.append((what, why)))
    yield context
    writer.shutdown()
    store.close()


@pytest.fixture(autouse=True)
def no_modal_questions(monkeypatch: pytest.MonkeyPatch) -> None:
    """A modal question box would block the run (e.g. when qtbot closes a dirty form)."""
    monkeypatch.setattr(common, "confirm", lambda parent, title, text: True)
