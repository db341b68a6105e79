"""Queries through the context: a failed read says "Could not load …" (never "Not saved"),
and a query replaced by a newer one in its slot never delivers its answer."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hms_desktop.ui.composition import close_context, open_context
from hms_desktop.ui.context import AppContext
from hms_desktop.ui.queries import TaskState


@pytest.fixture
def ctx(data_dir: Path, qapp: Any) -> Iterator[AppContext]:
    context = open_context(data_dir)
    yield context
    close_context(context)


def test_a_failed_read_says_could_not_load(qtbot: Any, ctx: AppContext) -> None:
    def unreadable(_state: TaskState) -> None:
        raise PermissionError(13, "Permission denied", "wearables/2026-12-01.csv")

    said: list[str] = []
    errors: list[BaseException] = []
    ctx.sig_status_posted.connect(said.append)
    with qtbot.waitSignal(ctx.sig_status_posted, timeout=5000):
        ctx.query(unreadable, what="the wearables of PAT000001", on_done=lambda _r: None,
                  on_error=errors.append)
    assert said == ["Could not load the wearables of PAT000001 — permission denied for "
                    "wearables/2026-12-01.csv"]
    assert isinstance(errors[0], PermissionError)


def test_a_newer_query_in_the_slot_cancels_the_older(qtbot: Any, ctx: AppContext) -> None:
    release = threading.Event()
    answers: list[str] = []
    seen_cancel: list[bool] = []

    def slow(state: TaskState) -> str:
        release.wait(10)
        seen_cancel.append(state.cancelled)
        state.check()  # stops here: the user has moved on
        return "old"

    old = ctx.query(slow, what="old", slot="list", on_done=answers.append)
    with qtbot.waitSignal(ctx.queries.submit(lambda _s: "new", what="new", slot="list").sig_done,
                          timeout=5000) as new:
        pass
    assert new.args == ["new"] and old.cancelled
    with qtbot.waitSignal(old.sig_closed, timeout=5000):
        release.set()
    assert answers == [] and seen_cancel == [True]
