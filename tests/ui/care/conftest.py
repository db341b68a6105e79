"""Test support for the care pages: a real Store, real services, the real background writer
and the application's AppContext."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from hms_desktop.ui.composition import opened_context

PATIENT = "PAT000001"
OTHER = "PAT000002"


@contextmanager
def make_context(data_dir: Path) -> Iterator[Any]:
    """A context on a real store, services and writer; everything closed on exit."""
    with opened_context(data_dir, actor="nurse.test") as ctx:
        yield ctx


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
