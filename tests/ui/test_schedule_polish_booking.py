"""Booking dialog polish: monthly series on the 31st, readable labels."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QTime
from PySide6.QtWidgets import QComboBox, QLabel
from pytestqt.qtbot import QtBot

from hms_desktop.domain.schedule_time import utc_to_wall
from hms_desktop.ui.schedule.booking_dialog import BookingDialog
from tests.ui.schedule_widgets import find

if TYPE_CHECKING:
    from tests.ui.schedule_ctx import ScheduleTestContext

pytest_plugins = ["tests.ui.schedule_ctx"]


def booked_dates(ctx: ScheduleTestContext, patient_id: str) -> list[date]:
    sched = ctx.services.scheduling
    return sorted(utc_to_wall(a.start, sched.zone).date() for a in sched.appointments.where("patient_id", patient_id))


def test_monthly_series_on_the_31st_books_last_day_of_shorter_months(ctx: ScheduleTestContext,
                                                                      qtbot: QtBot) -> None:
    dialog = BookingDialog(ctx, provider_id="DOC000001", start=datetime(2026, 8, 31, 10, 0))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.patient.choose("PAT000003")
    dialog.time.setTime(QTime(10, 0))
    dialog.repeat.setChecked(True)
    choice = find(dialog, QComboBox, "In shorter months")
    assert not choice.isEnabled()  # only meaningful for a monthly series
    dialog.repeat.freq.setCurrentIndex(dialog.repeat.freq.findData("monthly"))
    assert choice.isEnabled() and choice.currentData() == "last_day"
    dialog.repeat.count.setValue(3)
    dialog.override.setChecked(True)  # 31 Oct 2026 is a Saturday
    dialog.book_button.click()
    qtbot.waitUntil(lambda: len(booked_dates(ctx, "PAT000003")) == 3, timeout=3000)
    assert booked_dates(ctx, "PAT000003") == [date(2026, 8, 31), date(2026, 9, 30), date(2026, 10, 31)]


def test_monthly_series_can_skip_shorter_months_explicitly(ctx: ScheduleTestContext, qtbot: QtBot) -> None:
    dialog = BookingDialog(ctx, provider_id="DOC000001", start=datetime(2026, 8, 31, 10, 0))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.patient.choose("PAT000004")
    dialog.time.setTime(QTime(10, 0))
    dialog.repeat.setChecked(True)
    dialog.repeat.freq.setCurrentIndex(dialog.repeat.freq.findData("monthly"))
    choice = find(dialog, QComboBox, "In shorter months")
    choice.setCurrentIndex(choice.findData("skip"))
    dialog.repeat.count.setValue(2)
    dialog.override.setChecked(True)
    dialog.book_button.click()
    qtbot.waitUntil(lambda: len(booked_dates(ctx, "PAT000004")) == 2, timeout=3000)
    assert booked_dates(ctx, "PAT000004") == [date(2026, 8, 31), date(2026, 10, 31)]


def test_form_labels_show_no_stray_ampersand(ctx: ScheduleTestContext, qtbot: QtBot) -> None:
    """'&When' on a row holding two widgets has no buddy, so Qt printed the '&' literally."""
    dialog = BookingDialog(ctx, provider_id="DOC000001", start=datetime(2026, 3, 2, 9, 0))
    qtbot.addWidget(dialog)
    dialog.show()
    stray = [label.text() for label in dialog.findChildren(QLabel)
             if label.buddy() is None and "&" in label.text()]
    assert stray == []
    when = next(label for label in dialog.findChildren(QLabel) if label.text() == "&When")
    assert when.buddy() is dialog.date  # Alt+W reaches the date field
