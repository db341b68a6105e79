"""The real AppContext over a seeded data folder, from the application's composition root,
for Schedule widget tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hms_desktop.domain.clinic_settings import ClinicSettings
from hms_desktop.ui.composition import close_context, open_context
from hms_desktop.ui.context import AppContext
from tests.schedule_support import seed


@pytest.fixture
def ctx(data_dir: Path, qapp: Any) -> Iterator[AppContext]:
    context = open_context(data_dir, actor="tester", settings=ClinicSettings(time_zone="Europe/London"))
    seed(context.services.scheduling)
    yield context
    close_context(context)


@pytest.fixture
def visit_requests(ctx: AppContext) -> list[dict[str, Any]]:
    """Visit-log requests the Schedule sent to the Record tab."""
    seen: list[dict[str, Any]] = []
    ctx.navigation.sig_visit_log_requested.connect(seen.append)
    return seen
