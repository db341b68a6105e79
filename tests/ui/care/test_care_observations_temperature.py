"""A temperature typed with two decimals is scored as the chart reads it, and the form says so
(issue 11 item 13)."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from tests.ui.care.conftest import find
from tests.ui.care.test_care_observations_page import NORMAL, fill, page_for, save


def test_form_says_how_many_decimals_are_kept(care_ctx: Any, qtbot: QtBot) -> None:
    page = page_for(care_ctx, qtbot)
    field = find(page, "Temperature")
    assert "1 decimal" in field.placeholderText()
    assert "1 decimal" in field.toolTip()


def test_38_05_scores_one_on_the_saved_set(care_ctx: Any, qtbot: QtBot) -> None:
    page = page_for(care_ctx, qtbot)
    fill(page, qtbot, {**NORMAL, "Temperature": "38.05"})
    save(page, care_ctx, qtbot)
    assert find(page, "Temperature sub-score").text() == "1"
    assert find(page, "NEWS2 aggregate").text() == "1"
