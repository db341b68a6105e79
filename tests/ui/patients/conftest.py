"""The real AppContext on a temporary data folder, from the application's composition root,
for the patient widget tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hms_desktop.domain.clinic_settings import ClinicSettings
from hms_desktop.ui.composition import close_context, open_context
from hms_desktop.ui.context import AppContext
from hms_desktop.ui.patients import common


@pytest.fixture
def ctx(data_dir: Path, qapp: Any) -> Iterator[AppContext]:
    context = open_context(data_dir, actor="tester", settings=ClinicSettings(phone_region="GB"))
    yield context
    close_context(context)


@pytest.fixture
def failures(ctx: AppContext) -> list[tuple[str, str]]:
    """The write failures the window would show in a message box: (what, why)."""
    seen: list[tuple[str, str]] = []
    ctx.sig_failure_reported.connect(lambda what, why: seen.append((what, why)))
    return seen


@pytest.fixture(autouse=True)
def no_modal_questions(monkeypatch: pytest.MonkeyPatch) -> None:
    """A modal question box would block the run (e.g. when qtbot closes a dirty form)."""
    monkeypatch.setattr(common, "confirm", lambda parent, title, text: True)
