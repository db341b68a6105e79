"""iCalendar (.ics) export of a provider's or a patient's appointments.

Times are written in the clinic's zone with a VTIMEZONE block, so calendar programs show
the same wall-clock time the clinic booked, including across daylight-saving changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from icalendar import Calendar, Event

from hms_desktop.domain.schedule_time import clinic_zone
from hms_desktop.domain.scheduling import Appointment, AppointmentStatus

_ICS_STATUS = {
    AppointmentStatus.BOOKED: "CONFIRMED", AppointmentStatus.CHECKED_IN: "CONFIRMED",
    AppointmentStatus.COMPLETED: "CONFIRMED", AppointmentStatus.CANCELLED: "CANCELLED",
    AppointmentStatus.NO_SHOW: "CANCELLED",
}


def appointments_to_ics(appointments: Iterable[Appointment], *, title: str,
                        names: dict[str, str] | None = None) -> bytes:
    """One VEVENT per appointment (UID = appointment id), in each appointment's own zone."""
    names = names or {}
    cal = Calendar()
    cal.add("prodid", "-//HMS Desktop//Schedule//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", title)
    stamp = datetime.now(UTC)
    for appt in appointments:
        zone = clinic_zone(appt.tz)
        event = Event()
        event.add("uid", f"{appt.id}@hms-desktop")
        event.add("dtstamp", stamp)
        event.add("dtstart", appt.start.astimezone(zone))
        event.add("dtend", appt.end.astimezone(zone))
        who = names.get(appt.patient_id, appt.patient_id)
        doc = names.get(appt.provider_id, appt.provider_id)
        event.add("summary", f"{appt.reason or 'Appointment'} - {who} with {doc}")
        event.add("description", f"Appointment {appt.id}; patient {appt.patient_id}; "
                                 f"provider {appt.provider_id}; status {appt.status.value}")
        if appt.room_id:
            event.add("location", names.get(appt.room_id, appt.room_id))
        event.add("status", _ICS_STATUS[appt.status])
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
