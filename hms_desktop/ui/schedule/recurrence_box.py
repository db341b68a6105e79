"""The 'Repeat' part of the booking dialog: daily / weekly on weekdays / every N weeks /
monthly, until a date or for N occurrences."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from hms_desktop.domain.schedule_recurrence import Recurrence
from hms_desktop.ui.common.qt_dates import py_date
from hms_desktop.ui.schedule.naming import dated, named

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")




class RecurrenceBox(QGroupBox):
    """Checkable group; unchecked means a single appointment."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Repea&t", parent)
        named(self, "schedule_repeat", "Repeat")
        self.setCheckable(True)
        self.setChecked(False)
        self.freq = QComboBox()
        named(self.freq, "schedule_repeat_freq", "Repeat frequency")
        self.freq.addItem("Daily", "daily")
        self.freq.addItem("Weekly", "weekly")
        self.freq.addItem("Monthly", "monthly")
        self.freq.setCurrentIndex(1)
        self.interval = QSpinBox()
        named(self.interval, "schedule_repeat_interval", "Repeat every N")
        self.interval.setRange(1, 52)
        self.days = []
        days_row = QHBoxLayout()
        for n, name in enumerate(DAY_NAMES):
            box = QCheckBox(name)
            named(box, f"schedule_repeat_day_{n}", f"Repeat on {name}")
            self.days.append(box)
            days_row.addWidget(box)
        # Monthly on the 29th-31st: say what happens in shorter months instead of skipping them.
        self.short_months = QComboBox()
        named(self.short_months, "schedule_repeat_short_months", "In shorter months")
        self.short_months.addItem("Last day of the month", "last_day")
        self.short_months.addItem("Skip that month", "skip")
        self.short_months.setToolTip("For a monthly series on the 29th, 30th or 31st: what to book in "
                                     "months that do not have that day")
        self.by_count = QRadioButton("Occurrences")
        named(self.by_count, "schedule_repeat_by_count", "End after occurrences")
        self.by_count.setChecked(True)
        self.count = QSpinBox()
        named(self.count, "schedule_repeat_count", "Number of occurrences")
        self.count.setRange(1, 500)
        self.count.setValue(6)
        self.by_until = QRadioButton("Until")
        named(self.by_until, "schedule_repeat_by_until", "End on date")
        self.until = dated(QDateEdit(QDate.currentDate().addMonths(3)))
        named(self.until, "schedule_repeat_until", "Repeat until")
        end_row = QHBoxLayout()
        for w in (self.by_count, self.count, self.by_until, self.until):
            end_row.addWidget(w)
        form = QFormLayout(self)
        form.addRow("Frequency", self.freq)
        form.addRow("Every", self.interval)
        form.addRow("On", days_row)
        form.addRow("Shorter months", self.short_months)
        form.addRow("Ends", end_row)
        self.freq.currentIndexChanged.connect(self._sync)
        self._sync()

    def _sync(self) -> None:
        weekly = self.freq.currentData() == "weekly"
        for box in self.days:
            box.setEnabled(weekly)
        self.short_months.setEnabled(self.freq.currentData() == "monthly")

    def recurrence(self, first: date) -> Recurrence | None:
        """None for a single booking; raises ValueError (pydantic) with a clear message."""
        if not self.isChecked():
            return None
        weekdays = [n for n, box in enumerate(self.days) if box.isChecked()]
        if self.freq.currentData() == "weekly" and not weekdays:
            weekdays = [first.weekday()]
        return Recurrence(
            freq=self.freq.currentData(), interval=self.interval.value(), weekdays=weekdays,
            count=self.count.value() if self.by_count.isChecked() else None,
            until=py_date(self.until.date()) if self.by_until.isChecked() else None,
            short_months=self.short_months.currentData())
