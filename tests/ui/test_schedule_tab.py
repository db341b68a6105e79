"""The Schedule tab driven like a user: drag, resize, keys, month clicks, statuses."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from hms_desktop.domain.scheduling import AppointmentStatus
from hms_desktop.ui.schedule import dialogs
from hms_desktop.ui.schedule.month_view import MonthView
from hms_desktop.ui.schedule.tab import ScheduleTab
from hms_desktop.ui.schedule.time_grid import TimeGridView
from tests.schedule_support import draft, local
from tests.ui.schedule_widgets import find, open_tab

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext

pytest_plugins = ["tests.ui.schedule_ctx"]
MONDAY = date(2026, 3, 2)


@pytest.fixture
def tab(ctx: AppContext, qtbot: QtBot) -> ScheduleTab:
    sched = ctx.services.scheduling
    sched.book(draft(local(2026, 3, 2, 9), reason="first"))                      # APT000001
    sched.book(draft(local(2026, 3, 2, 11), pat="PAT000002", reason="second"))   # APT000002
    return open_tab(ctx, qtbot, (1100, 850), MONDAY, "DOC000001")


def drag(qtbot: QtBot, view: TimeGridView, start: QPoint, end: QPoint) -> None:
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(view, pos=QPoint((start.x() + end.x()) // 2, (start.y() + end.y()) // 2))
    qtbot.mouseMove(view, pos=end)
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=end)


def px(view: TimeGridView, minutes: int) -> int:
    return round(minutes * view.scale().px_per_minute)


def test_drag_moves_appointment_and_saves(tab: ScheduleTab, ctx: AppContext, qtbot: QtBot) -> None:
    view = find(tab, TimeGridView, "Day view")
    rect = view.rect_of("APT000001")
    assert rect is not None
    grab = rect.center().toPoint()
    drag(qtbot, view, grab, grab + QPoint(0, px(view, 60)))
    table = ctx.services.scheduling.appointments
    qtbot.waitUntil(lambda: table.get("APT000001").start == local(2026, 3, 2, 10), timeout=3000)
    assert table.get("APT000001").end == local(2026, 3, 2, 10, 30)
    # The drop says what moved where (issue 13 item 10), and Ctrl+Z puts it back.
    status = find(tab, type(tab.status), "Schedule messages")
    qtbot.waitUntil(lambda: status.text().startswith("Moved APT000001"), timeout=3000)
    assert "from Mon 02 Mar 09:00 with Dr Ada Lovelace to Mon 02 Mar 10:00 with Dr Ada Lovelace" in status.text()
    assert "Ctrl+Z" in status.text()
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: table.get("APT000001").start == local(2026, 3, 2, 9), timeout=3000)
    qtbot.waitUntil(lambda: status.text().startswith("Undone: APT000001 is back at Mon 02 Mar 09:00"), timeout=3000)
    assert len(table.history("APT000001")) == 3  # booked, moved, moved back: every step kept


def test_conflicting_drop_refused_and_nothing_written(tab: ScheduleTab, ctx: AppContext,
                                                      qtbot: QtBot) -> None:
    view = find(tab, TimeGridView, "Day view")
    grab = view.rect_of("APT000001").center().toPoint()  # type: ignore[union-attr]
    drag(qtbot, view, grab, grab + QPoint(0, px(view, 115)))  # 09:00 -> 10:55, overlaps 11:00
    assert "APT000002" in view.message and "Not moved" in view.message
    assert "APT000002" in find(tab, type(tab.status), "Schedule messages").text()
    ctx.writer.drain()
    history = ctx.services.scheduling.appointments.history("APT000001")
    assert len(history) == 1 and history[0].record.start == local(2026, 3, 2, 9)
    assert view.rect_of("APT000001").top() == pytest.approx(rect_top(view, 9 * 60), abs=1)  # type: ignore[union-attr]


def rect_top(view: TimeGridView, minutes: int) -> float:
    return view.scale().y(minutes)


def test_drag_lower_edge_resizes(tab: ScheduleTab, ctx: AppContext, qtbot: QtBot) -> None:
    view = find(tab, TimeGridView, "Day view")
    rect = view.rect_of("APT000001")
    edge = QPoint(int(rect.center().x()), int(rect.bottom()) - 2)  # type: ignore[union-attr]
    drag(qtbot, view, edge, edge + QPoint(0, px(view, 30)))
    table = ctx.services.scheduling.appointments
    qtbot.waitUntil(lambda: table.get("APT000001").end == local(2026, 3, 2, 10), timeout=3000)
    assert table.get("APT000001").start == local(2026, 3, 2, 9)


def test_resize_into_next_appointment_refused(tab: ScheduleTab, ctx: AppContext,
                                              qtbot: QtBot) -> None:
    ctx.services.scheduling.book(draft(local(2026, 3, 2, 9, 30), pat="PAT000003"))
    tab.reload()
    view = tab.day_view
    rect = view.rect_of("APT000001")
    edge = QPoint(int(rect.center().x()), int(rect.bottom()) - 2)  # type: ignore[union-attr]
    drag(qtbot, view, edge, edge + QPoint(0, px(view, 20)))
    assert "APT000003" in view.message
    ctx.writer.drain()
    assert len(ctx.services.scheduling.appointments.history("APT000001")) == 1


def test_keyboard_navigation_and_move(tab: ScheduleTab, ctx: AppContext, qtbot: QtBot) -> None:
    view = tab.day_view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_PageDown)
    assert tab.day == date(2026, 3, 3)
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert tab.day == MONDAY
    qtbot.keyClick(view, Qt.Key.Key_N)
    assert tab.selected_id == "APT000001"
    assert tab.agenda.current_id() == "APT000001"
    qtbot.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    table = ctx.services.scheduling.appointments
    qtbot.waitUntil(lambda: table.get("APT000001").start == local(2026, 3, 2, 9, 15), timeout=3000)
    qtbot.keyClick(view, Qt.Key.Key_T)
    assert tab.day == tab.today()


def test_month_view_counts_and_opens_day(tab: ScheduleTab, ctx: AppContext, qtbot: QtBot) -> None:
    tab.set_mode("month")
    month = find(tab, MonthView, "Month view")
    assert month.days[MONDAY] == (2, ["Pat1", "Pat2"])  # count, first names in time order
    for hour, pat in ((13, "PAT000003"), (14, "PAT000004")):
        ctx.services.scheduling.book(draft(local(2026, 3, 2, hour), pat=pat))
    cancelled = ctx.services.scheduling.book(draft(local(2026, 3, 2, 15), pat="PAT000005"))
    ctx.services.scheduling.set_status(cancelled.id, "cancelled", reason="moved away")
    qtbot.waitUntil(lambda: month.days[MONDAY][0] == 4, timeout=5000)  # cancelled not counted
    assert month.days[MONDAY] == (4, ["Pat1", "Pat2", "Pat3"])
    assert "4 appointments" in month.accessibleDescription()
    qtbot.mouseClick(month, Qt.MouseButton.LeftButton, pos=month.cell_rect(date(2026, 3, 4)).center().toPoint())
    assert tab.mode == "day" and tab.day == date(2026, 3, 4)


def test_week_view_shows_days_and_page_keys(tab: ScheduleTab, qtbot: QtBot) -> None:
    tab.day = date(2026, 3, 4)
    tab.set_mode("week")
    week = find(tab, TimeGridView, "Week view")
    assert [c.label for c in week.columns][0] == "Mon 02 Mar"
    assert {i.id for i in week.items} == {"APT000001", "APT000002"}
    week.setFocus()
    qtbot.keyClick(week, Qt.Key.Key_PageUp)
    assert tab.title.text() == "Week of 23 February 2026"


def test_status_buttons_and_completion_offers_visit_log(tab: ScheduleTab, ctx: AppContext, qtbot: QtBot,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        visit_requests: list[dict[str, Any]]) -> None:
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda *a: True)
    tab.appointment_actions.select("APT000001")
    check_in = find(tab, type(tab.checkin_button), "Check in")
    assert find(tab, type(tab.checkin_button), "Cancel appointment").isEnabled()
    assert check_in.isEnabled() and tab.noshow_button.isEnabled()
    qtbot.mouseClick(check_in, Qt.MouseButton.LeftButton)
    table = ctx.services.scheduling.appointments
    qtbot.waitUntil(lambda: table.get("APT000001").status == AppointmentStatus.CHECKED_IN, timeout=3000)
    qtbot.waitUntil(lambda: not tab.checkin_button.isEnabled(), timeout=3000)
    assert not tab.noshow_button.isEnabled()  # checked-in patients cannot be no-shows
    qtbot.mouseClick(tab.complete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(visit_requests), timeout=3000)
    request = visit_requests[0]
    assert request["appointment_id"] == "APT000001" and request["patient_id"] == "PAT000001"
    assert request["provider_id"] == "DOC000001" and request["at"] == local(2026, 3, 2, 9)


def test_cancel_needs_reason(tab: ScheduleTab, ctx: AppContext, qtbot: QtBot,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    tab.appointment_actions.select("APT000002")
    monkeypatch.setattr(dialogs, "ask_text", lambda *a: "")
    qtbot.mouseClick(tab.cancel_button, Qt.MouseButton.LeftButton)
    assert "reason is required" in tab.status.text()
    monkeypatch.setattr(dialogs, "ask_text", lambda *a: "patient unwell")
    qtbot.mouseClick(tab.cancel_button, Qt.MouseButton.LeftButton)
    table = ctx.services.scheduling.appointments
    qtbot.waitUntil(lambda: table.get("APT000002").status == AppointmentStatus.CANCELLED, timeout=3000)
    assert table.get("APT000002").cancel_reason == "patient unwell"


def test_every_widget_named(tab: ScheduleTab) -> None:
    unnamed = [w for w in tab.findChildren(QWidget)
               if w.objectName().startswith("schedule") and not w.accessibleName()]
    assert unnamed == []


def test_drag_series_member_this_and_following(ctx: AppContext, qtbot: QtBot,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from hms_desktop.domain.schedule_recurrence import Recurrence

    sched = ctx.services.scheduling
    occ = sched.book_series(draft(local(2026, 3, 2, 9), pat="PAT000007"), Recurrence(freq="daily", count=3))
    widget = ScheduleTab(ctx)
    qtbot.addWidget(widget)
    widget.resize(1100, 850)
    widget.show()
    widget.provider_box.setCurrentIndex(widget.provider_box.findData("DOC000001"))
    widget.day = date(2026, 3, 3)
    widget.set_mode("day")
    monkeypatch.setattr(dialogs, "ask_scope", lambda *a: "following")
    view = widget.day_view
    grab = view.rect_of(occ[1].id).center().toPoint()  # type: ignore[union-attr]
    drag(qtbot, view, grab, grab + QPoint(0, px(view, 60)))
    qtbot.waitUntil(lambda: sched.appointments.get(occ[2].id).start == local(2026, 3, 4, 10), timeout=3000)
    assert sched.appointments.get(occ[1].id).start == local(2026, 3, 3, 10)
    assert sched.appointments.get(occ[0].id).start == local(2026, 3, 2, 9)  # earlier one untouched


@pytest.mark.slow
def test_standalone_quick_look_with_demo_data() -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    done = subprocess.run([sys.executable, "-m", "hms_desktop.ui.schedule", "--patients", "60",
                           "--quit-after", "0.3"], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[2],
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr


def test_schedule_loads_in_background_then_shows(ctx: AppContext, qtbot: QtBot,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    sched = ctx.services.scheduling
    assert not sched.index_ready
    threads: list[str] = []
    warm_up = sched.warm_up

    def recording_warm_up() -> int:
        threads.append(threading.current_thread().name)
        return warm_up()

    monkeypatch.setattr(sched, "warm_up", recording_warm_up)
    widget = ScheduleTab(ctx)
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: widget.title.text() != "Loading the schedule…", timeout=10_000)
    assert threads and threads[0].startswith("hms-writer")  # indexed on the writer, not the GUI
    assert sched.index_ready and widget.provider_box.count() == 3


def test_drag_outside_hours_asks_and_records_override(tab: ScheduleTab, ctx: AppContext,
                                                      qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    view = tab.day_view
    grab = view.rect_of("APT000002").center().toPoint()  # type: ignore[union-attr]
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda *a: False)
    drag(qtbot, view, grab, grab + QPoint(0, px(view, 7 * 60)))  # 11:00 -> 18:00, after hours
    assert "outside provider" in view.message
    ctx.writer.drain()
    table = ctx.services.scheduling.appointments
    assert len(table.history("APT000002")) == 1
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda *a: True)
    grab = view.rect_of("APT000002").center().toPoint()  # type: ignore[union-attr]
    drag(qtbot, view, grab, grab + QPoint(0, px(view, 7 * 60)))
    qtbot.waitUntil(lambda: table.get("APT000002").start == local(2026, 3, 2, 18), timeout=3000)
    assert table.get("APT000002").override_by == "tester"


def test_export_buttons_write_ics_and_day_sheet(tab: ScheduleTab, ctx: AppContext, qtbot: QtBot,
                                                monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    from pathlib import Path

    from icalendar import Calendar
    from pypdf import PdfReader

    out = Path(str(tmp_path))
    monkeypatch.setattr(dialogs, "choose_save_path", lambda _p, _t, name, _pat: str(out / name))
    tab.ics_button.click()
    qtbot.waitUntil(lambda: (out / "DOC000001.ics").exists(), timeout=5000)
    events = Calendar.from_ical((out / "DOC000001.ics").read_bytes()).walk("VEVENT")
    assert sorted(str(e["uid"]) for e in events) == ["APT000001@hms-desktop", "APT000002@hms-desktop"]
    tab.sheet_button.click()
    sheet = out / "day-sheet-DOC000001-2026-03-02.pdf"
    qtbot.waitUntil(lambda: tab.status.text() == f"Wrote {sheet}", timeout=5000)
    text = " ".join(PdfReader(sheet).pages[0].extract_text().split())
    assert "APT000001" in text and "APT000002" in text and "Pat1 Tester" in text


def test_activating_sets_current_patient_and_new_booking_uses_it(tab: ScheduleTab, ctx: AppContext,
                                                                 qtbot: QtBot) -> None:
    tab.appointment_actions.activate("APT000002")
    assert ctx.current_patient.patient_id == "PAT000002"
    dialog = tab.appointment_actions.open_booking()
    assert dialog.patient_id() == "PAT000002"
    dialog.reject()


@pytest.mark.parametrize("size", [(1366 - 20, 768 - 90), (960 - 20, 540 - 90)])
def test_a_20_minute_block_shows_its_time_and_patient_on_a_whole_line(
        ctx: AppContext, qtbot: QtBot, size: tuple[int, int]) -> None:
    """Issue 13 item 2: 20-minute blocks showed no text at 2× and clipped text at 1366×768."""
    from PySide6.QtGui import QFontMetrics

    appt = ctx.services.scheduling.book(draft(local(2026, 3, 2, 14), minutes=20, pat="PAT000003"))
    tab = open_tab(ctx, qtbot, size, MONDAY, "DOC000001")
    view = tab.day_view
    qtbot.waitUntil(lambda: view.rect_of(appt.id) is not None, timeout=3000)
    rect = view.rect_of(appt.id)
    assert rect is not None and rect.height() >= QFontMetrics(view.font()).lineSpacing() + 2
    first_line = view.block_text(view.items[[i.id for i in view.items].index(appt.id)], rect).split("\n")[0]
    assert first_line.startswith("14:00 ")
