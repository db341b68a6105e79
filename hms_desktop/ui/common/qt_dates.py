"""Typed conversions between Qt's date/time values and Python's.

PySide6 types ``toPython()`` as returning ``object``; these helpers say what it returns, so
callers stay typed without a cast at every date field.
"""

from __future__ import annotations

from datetime import date, datetime, time

from PySide6.QtCore import QDate, QDateTime, QTime


def py_date(value: QDate) -> date:
    result = value.toPython()
    assert isinstance(result, date)
    return result


def py_time(value: QTime) -> time:
    result = value.toPython()
    assert isinstance(result, time)
    return result


def py_wall(value: QDateTime) -> datetime:
    """The naive wall-clock date and time shown in the widget (seconds included)."""
    return datetime.combine(py_date(value.date()), py_time(value.time()))


def py_datetime(value: QDateTime) -> datetime:
    """The widget's moment as Qt converts it (naive local time, like ``toPython()``)."""
    result = value.toPython()
    assert isinstance(result, datetime)
    return result


def qt_datetime(value: datetime) -> QDateTime:
    """A QDateTime showing ``value``'s wall-clock date and time."""
    return QDateTime(QDate(value.year, value.month, value.day),
                     QTime(value.hour, value.minute, value.second, value.microsecond // 1000))


def qt_date(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)
