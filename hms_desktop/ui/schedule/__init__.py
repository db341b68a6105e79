"""The Schedule tab: providers' calendars, booking, drag to reschedule, iCalendar, day sheets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from hms_desktop.domain.clinic_settings import ClinicSettings

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext


def clinic_tz_name(settings: ClinicSettings) -> str | None:
    """The clinic time-zone setting (None when unset: the computer's zone is used)."""
    return settings.time_zone or None


def create_tab(ctx: AppContext) -> QWidget:
    from hms_desktop.ui.schedule.tab import ScheduleTab

    name = clinic_tz_name(ctx.settings)
    if name:
        ctx.services.scheduling.set_clinic_tz(name)
    return ScheduleTab(ctx)
