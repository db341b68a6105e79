"""Scheduling fixtures (loaded with ``pytest_plugins``): a real store and a seeded service."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hms_desktop.services.bus import EventBus
from hms_desktop.services.scheduling import SchedulingService
from hms_desktop.storage import Store
from tests.schedule_support import seed


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    s = Store(data_dir, actor="tester")
    yield s
    s.close()


@pytest.fixture
def service(store: Store) -> SchedulingService:
    svc = SchedulingService(store, EventBus(), clinic_tz="Europe/London")
    seed(svc)
    return svc


