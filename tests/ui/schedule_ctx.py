"""The real AppContext over a seeded data folder, for Schedule widget tests."""

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
from tests.schedule_support import seed


class ScheduleTestContext(AppContext):
    """AppContext that also remembers visit-log requests and write failures for assertions."""

    visit_requests: list[dict[str, Any]]
    failures: list[tuple[str, str]]


@pytest.fixture
def ctx(data_dir: Path, qapp: Any) -> Iterator[ScheduleTestContext]:
    store = Store(data_dir, actor="tester")
    bus = EventBus()
    services = build_services(store, bus)
    seed(services.scheduling)
    writer = BackgroundWriter()
    context = ScheduleTestContext(services=services, store=store, bus=bus, writer=writer,
                                  settings=ClinicSettings(time_zone="Europe/London"), data_dir=data_dir)
    context.visit_requests = []
    context.failures = []
    context.navigation.sig_visit_log_requested.connect(context.visit_requests.append)
    context.sig_failure_reported.connect(lambda what, why: context.failures.append((what, why)))
    yield context
    writer.shutdown()
    store.close()
