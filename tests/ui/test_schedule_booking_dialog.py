"""Booking dialog: live problems naming the clash, override, free slot, series, prefill."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QDate, QTime
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from hms_desktop.ui.schedule.booking_dialog import BookingDialog
from hms_desktop.ui.schedule.tab import ScheduleTab
from tests.schedule_support import draft, local

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext

pytest_plugins = ["tests.ui.schedule_ctx"]


def by_name(dialog: BookingDialog, cls: type, accessible: str):  # type: ignore[no-untyped-def]
    return next(w for w in dialog.findChildren(cls) if w.accessibleName() == accessible)


@pytest.fixture
def dialog(ctx: AppContext, qtbot: QtBot) -> BookingDialog:
    ctx.services.scheduling.book(draft(local(2026, 3, 2, 9)))  # APT000001 for PAT000001 with DOC000001
    dlg = BookingDialog(ctx, provider_id="DOC000001", start=datetime(2026, 3, 2, 9, 15))
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def problems(dialog: BookingDialog) -> str:
    return str(by_name(dialog, QLabel, "Booking problems").text())


def test_clash_named_live_and_book_refused(dialog: BookingDialog, ctx: AppContext,
                                           qtbot: QtBot) -> None:
    dialog.patient.choose("PAT000002")
    assert "Dr Ada Lovelace (DOC000001) is already booked with" in problems(dialog)
    dialog.book_button.click()
    ctx.writer.drain()
    assert len(ctx.services.scheduling.appointments) == 1


def test_missing_unknown_patient_and_zero_length_named(dialog: BookingDialog, qtbot: QtBot) -> None:
    assert "choose a patient" in problems(dialog)
    search = by_name(dialog, QLineEdit, "Patient search")
    qtbot.keyClicks(search, "PAT000002")
    dialog.patient.refresh()
    assert dialog.patient.results()[0] == "PAT000002"
    dialog.patient.choose("PAT999999")
    assert "patient PAT999999 does not exist" in problems(dialog)
    dialog.minutes.setValue(0)
    assert "duration must be more than 0 minutes" in problems(dialog)


def test_find_next_free_slot_then_book(dialog: BookingDialog, ctx: AppContext, qtbot: QtBot) -> None:
    dialog.patient.choose("PAT000002")
    dialog.time.setTime(QTime(8, 0))
    dialog.find_button.click()
    assert dialog.time.time() == QTime(9, 30) and problems(dialog) == ""  # 09:00-09:30 is taken
    booked: list[list[str]] = []
    dialog.sig_appointments_booked.connect(booked.append)
    dialog.book_button.click()
    qtbot.waitUntil(lambda: bool(booked), timeout=3000)
    saved = ctx.services.scheduling.appointments.get(booked[0][0])
    assert saved is not None and saved.start == local(2026, 3, 2, 9, 30) and saved.patient_id == "PAT000002"


def test_outside_hours_needs_override_which_is_recorded(dialog: BookingDialog, ctx: AppContext,
                                                        qtbot: QtBot) -> None:
    dialog.patient.choose("PAT000002")
    dialog.time.setTime(QTime(18, 0))
    assert "outside provider Dr Ada Lovelace (DOC000001)'s available hours" in problems(dialog)
    dialog.override.setChecked(True)
    assert problems(dialog) == ""
    dialog.book_button.click()
    qtbot.waitUntil(lambda: len(ctx.services.scheduling.appointments) == 2, timeout=3000)
    assert ctx.services.scheduling.appointments.get("APT000002").override_by == "tester"  # type: ignore[union-attr]


def four_mondays_with_the_third_taken(dialog: BookingDialog, ctx: AppContext) -> None:
    """A weekly series of 4 from Mon 2 Mar 10:00 for PAT000002; 16 Mar is taken."""
    ctx.services.scheduling.book(draft(local(2026, 3, 16, 10), pat="PAT000009"))
    dialog.patient.choose("PAT000002")
    dialog.time.setTime(QTime(10, 0))
    dialog.repeat.setChecked(True)
    dialog.repeat.count.setValue(4)


def test_weekly_series_from_dialog_checked_before_saving(dialog: BookingDialog, ctx: AppContext,
                                                         qtbot: QtBot) -> None:
    sched = ctx.services.scheduling
    four_mondays_with_the_third_taken(dialog, ctx)
    dialog.book_button.click()
    qtbot.waitUntil(lambda: "16 Mar 2026 10:00" in problems(dialog), timeout=3000)
    assert len(sched.appointments) == 2 and dialog.isVisible()
    dialog.date.setDate(QDate(2026, 3, 3))  # Tuesdays are free
    dialog.book_button.click()
    qtbot.waitUntil(lambda: len(sched.appointments) == 6, timeout=3000)
    series = {a.series_id for a in sched.appointments.where("patient_id", "PAT000002")}
    assert len(series) == 1 and series != {""}


def test_record_follow_up_request_opens_prefilled(ctx: AppContext, qtbot: QtBot) -> None:
    tab = ScheduleTab(ctx)
    qtbot.addWidget(tab)
    shown: list[str] = []
    ctx.navigation.sig_tab_requested.connect(shown.append)
    ctx.navigation.request_booking(patient_id="PAT000042", start=datetime(2026, 3, 9, 14, 30),
                                   reason="Follow-up BP")
    assert shown == ["Schedule"]
    dlg = tab.appointment_actions.dialog
    assert dlg is not None and dlg.isVisible()
    assert dlg.patient_id() == "PAT000042" and dlg.reason.text() == "Follow-up BP"
    assert dlg.date.date().toPython() == date(2026, 3, 9) and dlg.time.time() == QTime(14, 30)
    dlg.reject()


def test_a_series_with_one_clashing_week_books_the_rest_and_lists_the_skipped_date(
        dialog: BookingDialog, ctx: AppContext, qtbot: QtBot) -> None:
    """Issue 13 item 9: the whole series was refused; now the rest is offered and the skipped
    date is listed and recorded on the series (read back from a reopened folder)."""
    from hms_desktop.domain.scheduling import AppointmentStatus
    from hms_desktop.services.scheduling import SKIPPED
    from hms_desktop.storage import Store
    from hms_desktop.storage.scheduling import APPOINTMENTS

    sched = ctx.services.scheduling
    four_mondays_with_the_third_taken(dialog, ctx)
    rest = by_name(dialog, QPushButton, "Book the other dates of the series")
    assert not rest.isVisible()
    dialog.book_button.click()
    qtbot.waitUntil(rest.isVisible, timeout=3000)
    assert "16 Mar 2026 10:00" in problems(dialog) and "Book the other dates" in problems(dialog)
    said: list[str] = []
    dialog.sig_series_skipped.connect(said.append)
    rest.click()
    qtbot.waitUntil(lambda: bool(said), timeout=3000)
    assert said[0].startswith("Booked 3 dates of the series; skipped Mon 16 Mar 2026 10:00 (Dr Ada Lovelace")
    ctx.writer.drain()
    reopened = Store(ctx.store.data_dir)  # a second, read-only view of what is on disk
    try:
        mine = [a for a in reopened.table(APPOINTMENTS).where("patient_id", "PAT000002")]
    finally:
        reopened.close()
    assert len({a.series_id for a in mine}) == 1
    booked = sorted(a.start for a in mine if a.status == AppointmentStatus.BOOKED)
    gaps = [a for a in mine if a.status == AppointmentStatus.CANCELLED]
    assert len(booked) == 3 and len(gaps) == 1
    assert gaps[0].cancel_reason.startswith(SKIPPED) and "APT000002" in gaps[0].cancel_reason
    assert [when.day for when, _ in sched.skipped_dates(gaps[0].series_id)] == [16]


def test_a_series_whose_every_date_clashes_is_refused_whole(ctx: AppContext) -> None:
    from hms_desktop.domain.schedule_recurrence import Recurrence
    from hms_desktop.services.scheduling import BookingError

    sched = ctx.services.scheduling
    for day in (2, 9):
        sched.book(draft(local(2026, 3, day, 9)))
    with pytest.raises(BookingError, match="every date of the series clashes"):
        sched.book_series(draft(local(2026, 3, 2, 9), pat="PAT000002"), Recurrence(freq="weekly", count=2),
                          skip_clashes=True)
    assert len(sched.appointments) == 2 and len(sched.series) == 0


def test_reason_stops_at_its_field_limit(dialog: BookingDialog, qtbot: QtBot) -> None:
    from hms_desktop.domain.field_limits import limit

    reason = by_name(dialog, QLineEdit, "Reason")
    qtbot.keyClicks(reason, "x" * (limit("Appointment", "reason") + 5))
    assert len(reason.text()) == limit("Appointment", "reason") == 200
