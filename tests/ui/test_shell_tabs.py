"""Tab discovery: a tab's own widget, or an error page naming what is wrong."""

from __future__ import annotations

import sys
import types

import pytest
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from hms_desktop.ui.shell.tabs import create_tab


def _package(monkeypatch: pytest.MonkeyPatch, name: str, **attrs: object) -> None:
    module = types.ModuleType(f"hms_desktop.ui.{name}")
    for key, value in attrs.items():
        setattr(module, key, value)
    monkeypatch.setitem(sys.modules, module.__name__, module)


def test_uses_the_tabs_own_create_tab(monkeypatch: pytest.MonkeyPatch, qtbot: QtBot) -> None:
    built = QWidget()
    qtbot.addWidget(built)
    received: list[object] = []
    _package(monkeypatch, "shelltest_ok", create_tab=lambda ctx: received.append(ctx) or built)
    assert create_tab("Ok", "shelltest_ok", ctx="the context") is built  # type: ignore[arg-type]
    assert received == ["the context"]


def test_package_without_create_tab_gets_an_error_page(monkeypatch: pytest.MonkeyPatch, qtbot: QtBot) -> None:
    _package(monkeypatch, "shelltest_empty")
    widget = create_tab("Empty", "shelltest_empty", ctx=None)  # type: ignore[arg-type]
    qtbot.addWidget(widget)
    assert isinstance(widget, QLabel) and widget.accessibleName() == "Empty tab error"
    assert "has no create_tab" in widget.text()


def test_missing_package_gets_an_error_page(qtbot: QtBot) -> None:
    widget = create_tab("Nowhere", "shelltest_does_not_exist", ctx=None)  # type: ignore[arg-type]
    qtbot.addWidget(widget)
    assert isinstance(widget, QLabel) and widget.accessibleName() == "Nowhere tab error"
    assert "shelltest_does_not_exist" in widget.text()


def test_a_tab_that_raises_shows_an_error_page_not_a_crash(monkeypatch: pytest.MonkeyPatch, qtbot: QtBot) -> None:
    def broken(ctx: object) -> QWidget:
        raise KeyError("family_name")

    _package(monkeypatch, "shelltest_broken", create_tab=broken)
    widget = create_tab("Broken", "shelltest_broken", ctx=None)  # type: ignore[arg-type]
    qtbot.addWidget(widget)
    assert isinstance(widget, QLabel) and widget.accessibleName() == "Broken tab error"
    assert "KeyError" in widget.text() and "family_name" in widget.text()
