"""The Schedule tab: providers' calendars, booking, drag to reschedule, iCalendar, day sheets."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget


def clinic_tz_name(settings: Any) -> str | None:
    """The clinic time-zone setting, whatever shape ctx.settings has (attribute or mapping)."""
    for key in ("time_zone", "clinic_timezone", "timezone"):
        value = settings.get(key) if isinstance(settings, dict) else getattr(settings, key, None)
        if value:
            return str(value)
    return None


def create_tab(ctx: Any) -> QWidget:
    from hms_desktop.ui.schedule.tab import ScheduleTab

    name = clinic_tz_name(getattr(ctx, "settings", None))
    if name:
        ctx.services.scheduling.set_clinic_tz(name)
    return ScheduleTab(ctx)
