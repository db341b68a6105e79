"""What the calendar views draw: plain rows in clinic wall-clock time, no storage objects.

Views take these and know nothing of services, so they can be painted, dragged and
tested with plain data; the tab converts appointments into items and back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtGui import QColor

from hms_desktop.domain.scheduling import AppointmentStatus

STATUS_COLOURS: dict[AppointmentStatus, str] = {
    AppointmentStatus.BOOKED: "#4a90d9",
    AppointmentStatus.CHECKED_IN: "#e0a526",
    AppointmentStatus.COMPLETED: "#3fa34d",
    AppointmentStatus.CANCELLED: "#9e9e9e",
    AppointmentStatus.NO_SHOW: "#d9534f",
}

STATUS_LABELS: dict[AppointmentStatus, str] = {
    AppointmentStatus.BOOKED: "Booked",
    AppointmentStatus.CHECKED_IN: "Checked in",
    AppointmentStatus.COMPLETED: "Completed",
    AppointmentStatus.CANCELLED: "Cancelled",
    AppointmentStatus.NO_SHOW: "No-show",
}


_COLOURS = {status: QColor(hex_) for status, hex_ in STATUS_COLOURS.items()}


_FILLS = {status: colour.lighter(150) for status, colour in _COLOURS.items()}


def status_colour(status: AppointmentStatus) -> QColor:
    """The strong colour: a block's edge and the agenda's status text."""
    return _COLOURS[status]


def status_fill(status: AppointmentStatus) -> QColor:
    """The light fill of a block, so its dark text stays readable (and the legend matches)."""
    return _FILLS[status]


@dataclass(frozen=True, slots=True)
class CalendarItem:
    """One appointment as a view sees it."""

    id: str
    start: datetime  # naive clinic wall-clock
    end: datetime
    provider_id: str
    patient_id: str
    title: str  # e.g. patient name and reason
    first_name: str  # shown in the month view
    status: AppointmentStatus

    @property
    def movable(self) -> bool:
        return self.status in (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a time grid: a provider on a date (day view) or a date (week view)."""

    key: str
    label: str
    day: datetime  # midnight of the column's date
    provider_id: str | None  # None: any provider (week view shows all selected providers)
