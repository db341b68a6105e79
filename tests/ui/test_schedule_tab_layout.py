"""The Schedule tab as a receptionist sees it with a full clinic: twelve providers stay
readable, the calendar gets the width, colours are explained, keys reach everything."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QLabel, QPushButton, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from hms_desktop.domain.scheduling import AppointmentStatus, Provider
from hms_desktop.ui.schedule.items import STATUS_LABELS, status_fill
from hms_desktop.ui.schedule.tab import ScheduleTab
from hms_desktop.ui.schedule.time_grid import HEADER, MIN_COLUMN, TimeGridView
from tests.schedule_support import draft, local, weekdays_9_to_17
from tests.ui.schedule_widgets import find, open_tab

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext

pytest_plugins = ["tests.ui.schedule_ctx"]
MONDAY = date(2026, 3, 2)
LONG_NAME = "Dr Bartholomew Featherstonehaugh-Worthington"


@pytest.fixture
def tab(ctx: AppContext, qtbot: QtBot) -> ScheduleTab:
    """Twelve providers (the demo clinic), the last with a very long name, at the lead's size."""
    sched = ctx.services.scheduling
    for n in range(9):
        sched.add_provider(Provider(name=f"Dr Extra Provider{n}", department="Cardiology"), weekdays_9_to_17())
    sched.add_provider(Provider(name=LONG_NAME, department="Cardiology"), weekdays_9_to_17())  # DOC000012
    sched.book(draft(local(2026, 3, 2, 9), reason="first"))
    sched.book(draft(local(2026, 3, 2, 10), doc="DOC000012", pat="PAT000002", reason="annual review"))
    return open_tab(ctx, qtbot, (1400, 880), MONDAY)


def day_view(tab: ScheduleTab) -> TimeGridView:
    return find(tab, TimeGridView, "Day view")


def test_twelve_provider_columns_stay_readable_and_scroll_sideways(tab: ScheduleTab) -> None:
    view = day_view(tab)
    assert len(view.columns) == 12
    assert view.column_width() >= MIN_COLUMN
    area = find(tab, QScrollArea, "Day view scroll area")
    assert area.horizontalScrollBar().maximum() > 0  # the rest is a scroll away, not squeezed


def test_calendar_gets_most_of_the_width(tab: ScheduleTab) -> None:
    split = tab.split
    calendar, agenda = split.sizes()
    assert calendar > 2 * agenda > 0


def test_agenda_can_be_hidden_and_shown_from_the_keyboard(tab: ScheduleTab, qtbot: QtBot) -> None:
    button = find(tab, QPushButton, "Show agenda list")
    wide_before = tab.stack.width()
    qtbot.keyClick(tab, Qt.Key.Key_G, Qt.KeyboardModifier.AltModifier)  # A&genda
    qtbot.waitUntil(lambda: not tab.agenda.isVisible())
    assert not button.isChecked()
    qtbot.waitUntil(lambda: tab.stack.width() > wide_before + 200)
    button.click()
    qtbot.waitUntil(tab.agenda.isVisible)
    assert tab.split.sizes()[1] > 0


def test_long_provider_name_is_elided_in_the_header_and_whole_in_its_tooltip(tab: ScheduleTab) -> None:
    view = day_view(tab)
    last = len(view.columns) - 1
    assert view.columns[last].label == LONG_NAME
    shown = view.header_text(last)
    assert shown.endswith("…") and LONG_NAME.startswith(shown[:-1]) and len(shown) > 8
    x = view.column_width() * last + 60 + 48
    assert view.tooltip_at(QPointF(x, HEADER / 2)).startswith(LONG_NAME + " (double-click")
    assert view.header_text(0) == "Dr Ada Lovelace"  # short names are left whole


def test_block_tooltip_and_text_name_the_appointment_without_cut_words(tab: ScheduleTab) -> None:
    view = day_view(tab)
    rect = view.rect_of("APT000001")
    assert rect is not None
    tip = view.tooltip_at(rect.center())
    assert tip.startswith("09:00–09:30 ") and "first" in tip and tip.endswith("Booked")
    text = view.block_text(view.items[0], rect)
    for line in text.split("\n"):
        assert line.endswith("…") or line in (f"09:00 {view.items[0].title}", "Booked")
    assert text.startswith("09:00 ")


def test_keyboard_selection_scrolls_to_a_block_off_screen(tab: ScheduleTab, qtbot: QtBot) -> None:
    view = day_view(tab)
    area = find(tab, QScrollArea, "Day view scroll area")
    assert area.horizontalScrollBar().value() == 0
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_N)
    qtbot.keyClick(view, Qt.Key.Key_N)  # 09:00 first column, then 10:00 in the last column
    assert view.selected_id == "APT000002"
    assert area.horizontalScrollBar().value() > 0


def test_legend_explains_every_status_colour(tab: ScheduleTab) -> None:
    legend = find(tab, QWidget, "Status colours")
    assert legend.isVisible()
    for status, label in STATUS_LABELS.items():
        assert find(legend, QLabel, f"Legend {label}").text() == label
        swatch = find(legend, QLabel, f"{label} colour")
        assert status_fill(status).name() in swatch.styleSheet()
    assert set(STATUS_LABELS) == set(AppointmentStatus)


def test_every_button_has_its_own_alt_key(tab: ScheduleTab) -> None:
    """Two buttons on one Alt key meant Alt+M and Alt+I toggled between buttons instead of pressing."""
    keys = Counter(m.group(1).lower() for b in tab.findChildren(QPushButton)
                   if (m := re.search(r"&(\w)", b.text())))
    assert [k for k, n in keys.items() if n > 1] == []


def test_agenda_rows_are_one_line_and_show_the_date_only_when_the_period_has_several_days(
        tab: ScheduleTab) -> None:
    model = tab.agenda.model()
    assert model.index(0, 0).data() == "09:00–09:30"  # the day view's date is in the title already
    assert not tab.agenda.wordWrap()
    when_width = tab.agenda.columnWidth(0)
    assert tab.agenda.fontMetrics().horizontalAdvance("09:00–09:30") < when_width
    tab.set_mode("week")
    assert model.index(0, 0).data() == "Mon 02 Mar 09:00–09:30"
    assert tab.agenda.fontMetrics().horizontalAdvance("Mon 02 Mar 09:00–09:30") < tab.agenda.columnWidth(0)


def test_day_view_without_providers_says_what_to_do(ctx: AppContext, qtbot: QtBot) -> None:
    sched = ctx.services.scheduling
    for provider in sched.active_providers():
        sched.update_provider(provider.id, {"active": False})
    tab = open_tab(ctx, qtbot, (1000, 700), MONDAY)
    view = day_view(tab)
    qtbot.waitUntil(lambda: tab.title.text().startswith("Monday"), timeout=3000)  # index loaded
    assert view.columns == []
    assert "Providers…" in view.accessibleDescription() and "Alt+P" in view.empty_text
    assert not view.grab().isNull()


def test_tab_key_goes_from_the_toolbar_to_the_calendar_then_the_agenda(tab: ScheduleTab, qtbot: QtBot) -> None:
    """Creation order sent Tab through every action button before reaching the calendar."""
    tab.activateWindow()
    qtbot.waitUntil(tab.isActiveWindow, timeout=3000)
    last_tool = find(tab, QPushButton, "Day sheet PDF")  # the toolbar's last button
    last_tool.setFocus()
    qtbot.waitUntil(last_tool.hasFocus, timeout=2000)
    qtbot.keyClick(last_tool, Qt.Key.Key_Tab)
    assert day_view(tab).hasFocus()
    qtbot.keyClick(day_view(tab), Qt.Key.Key_Tab)
    assert tab.agenda.hasFocus()
    qtbot.keyClick(tab.agenda, Qt.Key.Key_Tab)  # Tab leaves the list instead of walking its cells
    assert not tab.agenda.hasFocus()
    qtbot.keyClick(tab.focusWidget(), Qt.Key.Key_Backtab)
    qtbot.keyClick(tab.agenda, Qt.Key.Key_Backtab)
    assert day_view(tab).hasFocus()


def test_status_change_is_confirmed_by_name_and_replaces_an_old_error(tab: ScheduleTab, ctx: AppContext,
                                                                      qtbot: QtBot) -> None:
    status = find(tab, QLabel, "Schedule messages")
    tab.appointment_actions.say("Something failed earlier.", error=True)
    tab.appointment_actions.select("APT000001")
    qtbot.mouseClick(find(tab, QPushButton, "Check in"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: status.text().startswith("Checked in:"), timeout=3000)
    assert status.text() == "Checked in: Pat1 Tester (PAT000001) at 09:00."
    assert "b00020" not in status.styleSheet()  # no longer red


def test_double_click_on_a_provider_header_shows_only_that_provider(tab: ScheduleTab, qtbot: QtBot) -> None:
    view = day_view(tab)
    qtbot.mouseDClick(view, Qt.MouseButton.LeftButton, pos=QPoint(int(48 + view.column_width() * 1.5), 10))
    assert tab.provider_box.currentData() == "DOC000002"
    assert [c.provider_id for c in view.columns] == ["DOC000002"]


def test_week_view_with_every_provider_says_how_to_read_names_and_header_opens_the_day(
        tab: ScheduleTab, qtbot: QtBot) -> None:
    tab.set_mode("week")
    assert "all 12 providers: choose one" in tab.title.text()
    week = find(tab, TimeGridView, "Week view")
    qtbot.mouseDClick(week, Qt.MouseButton.LeftButton, pos=QPoint(int(48 + week.column_width() * 2.5), 10))
    assert tab.mode == "day" and tab.day == date(2026, 3, 4)  # Wednesday of that week
    tab.provider_box.setCurrentIndex(tab.provider_box.findData("DOC000001"))
    tab.set_mode("week")
    assert "choose one" not in tab.title.text()
