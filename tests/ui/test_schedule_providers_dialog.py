"""Providers dialog: add a provider with hours, change hours, leave; bad hours name the day."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from hms_desktop.ui.schedule.providers_dialog import ProvidersDialog
from tests.schedule_support import draft, local

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext

pytest_plugins = ["tests.ui.schedule_ctx"]


@pytest.fixture
def dialog(ctx: AppContext, qtbot: QtBot) -> ProvidersDialog:
    dlg = ProvidersDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def edit(dlg: ProvidersDialog, accessible: str) -> QLineEdit:
    return next(w for w in dlg.findChildren(QLineEdit) if w.accessibleName() == accessible)


def test_add_provider_with_hours(dialog: ProvidersDialog, ctx: AppContext, qtbot: QtBot) -> None:
    dialog.new_button.click()
    qtbot.keyClicks(edit(dialog, "Provider name"), "Dr Grace Hopper")
    dialog.department.setCurrentText("Neurology")
    edit(dialog, "Tue hours").setText("08:00-12:00, 13:00-16:00")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: "Saved DOC000003" in dialog.message.text(), timeout=3000)
    sched = ctx.services.scheduling
    assert sched.providers.get("DOC000003").department == "Neurology"  # type: ignore[union-attr]
    assert sched.within_hours(draft(local(2026, 3, 3, 13), doc="DOC000003"))
    assert not sched.within_hours(draft(local(2026, 3, 3, 12), doc="DOC000003"))


def test_bad_hours_name_the_weekday_and_save_nothing(dialog: ProvidersDialog, ctx: AppContext) -> None:
    dialog.list.setCurrentRow(0)
    edit(dialog, "Wed hours").setText("9 till 5")
    dialog.save_button.click()
    ctx.writer.drain()
    assert dialog.message.text().startswith("Wed: '9 till 5'")
    assert len(ctx.services.scheduling.availability) == 10  # nothing retired, nothing added


def test_change_hours_and_add_leave(dialog: ProvidersDialog, ctx: AppContext, qtbot: QtBot) -> None:
    dialog.list.setCurrentRow(0)
    assert edit(dialog, "Mon hours").text() == "09:00-17:00"
    edit(dialog, "Mon hours").setText("12:00-18:00")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: "Saved DOC000001" in dialog.message.text(), timeout=3000)
    sched = ctx.services.scheduling
    assert sched.within_hours(draft(local(2026, 3, 2, 17, 30)))
    dialog.ex_day.setDate(QDate(2026, 3, 2))
    dialog.ex_kind.setCurrentText("leave")
    dialog.ex_add.click()
    qtbot.waitUntil(lambda: dialog.ex_list.count() == 1, timeout=3000)
    assert not sched.within_hours(draft(local(2026, 3, 2, 13)))
    dialog.ex_list.setCurrentRow(0)
    dialog.ex_withdraw.click()
    qtbot.waitUntil(lambda: dialog.ex_list.count() == 0, timeout=3000)
    assert sched.within_hours(draft(local(2026, 3, 2, 13)))
