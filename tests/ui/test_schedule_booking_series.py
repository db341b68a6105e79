"""The booking dialog: monthly series on the 31st, readable labels."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import QAbstractButton, QComboBox, QDateEdit, QLabel
from pytestqt.qtbot import QtBot

from hms_desktop.domain.schedule_time import utc_to_wall
from hms_desktop.ui.schedule.booking_dialog import BookingDialog, default_start
from tests.ui.schedule_widgets import find

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext

pytest_plugins = ["tests.ui.schedule_ctx"]


def booked_dates(ctx: AppContext, patient_id: str) -> list[date]:
    sched = ctx.services.scheduling
    return sorted(utc_to_wall(a.start, sched.zone).date() for a in sched.appointments.where("patient_id", patient_id))


def test_monthly_series_on_the_31st_books_last_day_of_shorter_months(ctx: AppContext,
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


def test_monthly_series_can_skip_shorter_months_explicitly(ctx: AppContext, qtbot: QtBot) -> None:
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


def test_form_labels_show_no_stray_ampersand(ctx: AppContext, qtbot: QtBot) -> None:
    """'&When' on a row holding two widgets has no buddy, so Qt printed the '&' literally."""
    dialog = BookingDialog(ctx, provider_id="DOC000001", start=datetime(2026, 3, 2, 9, 0))
    qtbot.addWidget(dialog)
    dialog.show()
    stray = [label.text() for label in dialog.findChildren(QLabel)
             if label.buddy() is None and "&" in label.text()]
    assert stray == []
    when = next(label for label in dialog.findChildren(QLabel) if label.text() == "&When")
    assert when.buddy() is dialog.date  # Alt+W reaches the date field


def test_new_booking_starts_on_a_quarter_hour() -> None:
    assert default_start(datetime(2026, 11, 25, 20, 2, 41)) == datetime(2026, 11, 25, 21, 15)
    assert default_start(datetime(2026, 11, 25, 20, 45, 0)) == datetime(2026, 11, 25, 21, 45)
    assert default_start(datetime(2026, 11, 25, 23, 50)) == datetime(2026, 11, 26, 1, 0)


def test_every_control_has_its_own_alt_key(ctx: AppContext, qtbot: QtBot) -> None:
    """Find slot, override, repeat and Book had no Alt key: a keyboard user had to Tab through all."""
    dialog = BookingDialog(ctx, provider_id="DOC000001", start=datetime(2026, 3, 2, 9, 0))
    qtbot.addWidget(dialog)
    dialog.show()
    texts = [w.text() for w in dialog.findChildren(QLabel) + dialog.findChildren(QAbstractButton)]
    texts.append(dialog.repeat.title())
    keys = [m.group(1).lower() for t in texts if (m := re.search(r"&(\w)", t))]
    assert sorted(k for k, n in Counter(keys).items() if n > 1) == []
    for control in (dialog.find_button, dialog.override, dialog.book_button):
        assert "&" in control.text(), control.text()
    assert "&" in dialog.repeat.title()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=3000)
    qtbot.keyClick(dialog, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)
    assert dialog.repeat.isChecked()  # Alt+T turns on Repeat


def test_dates_read_with_weekday_and_month_name(ctx: AppContext, qtbot: QtBot) -> None:
    """'02 03 2026' is the 2nd of March or the 3rd of February depending on who reads it."""
    dialog = BookingDialog(ctx, provider_id="DOC000001", start=datetime(2026, 3, 2, 9, 0))
    qtbot.addWidget(dialog)
    assert find(dialog, QDateEdit, "Date").text() == "Mon 02 Mar 2026"
    assert find(dialog, QDateEdit, "Repeat until").text().count(" ") == 3  # "Thu 02 Jun 2026"
