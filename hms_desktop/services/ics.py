"""iCalendar (.ics) export of a provider's or a patient's appointments.

Times are written in the clinic's zone with a VTIMEZONE block, so calendar programs show
the same wall-clock time the clinic booked, including across daylight-saving changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event

from hms_desktop.domain.accounts import Permission
from hms_desktop.domain.schedule_time import clinic_zone
from hms_desktop.domain.scheduling import Appointment, AppointmentStatus
from hms_desktop.services.scheduling import SchedulingService

DEFAULT_FIRST, DEFAULT_LAST = date(1970, 1, 1), date(2038, 1, 1)  # icalendar's own range, kept as a floor
_ICS_STATUS = {
    AppointmentStatus.BOOKED: "CONFIRMED", AppointmentStatus.CHECKED_IN: "CONFIRMED",
    AppointmentStatus.COMPLETED: "CONFIRMED", AppointmentStatus.CANCELLED: "CANCELLED",
    AppointmentStatus.NO_SHOW: "CANCELLED",
}


def appointments_to_ics(appointments: Iterable[Appointment], *, title: str,
                        names: dict[str, str] | None = None) -> bytes:
    """One VEVENT per appointment (UID = appointment id), in each appointment's own zone."""
    names = names or {}
    appointments = list(appointments)
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
    if appointments:
        # The VTIMEZONE lists each zone's transitions between these dates. icalendar's default
        # stops at 2038, after which some calendar programs read a July 2040 appointment in
        # winter time, an hour late: cover every exported date, with a year's margin each side.
        first = min(a.start for a in appointments).date() - timedelta(days=366)
        last = max(a.end for a in appointments).date() + timedelta(days=366)
        cal.add_missing_timezones(first_date=min(first, DEFAULT_FIRST), last_date=max(last, DEFAULT_LAST))
    ical: bytes = cal.to_ical()
    return ical


def export_ics(service: SchedulingService, *, provider_id: str | None = None,
               patient_id: str | None = None) -> bytes:
    """Every appointment of one provider or one patient (exactly one must be given). Reading
    the schedule needs *view schedule*, like every read of the scheduling service."""
    if (provider_id is None) == (patient_id is None):
        raise ValueError("give exactly one of provider_id or patient_id")
    service.access.require(Permission.VIEW_SCHEDULE, what="export appointments as .ics",
                           patient_id=patient_id or "")
    if provider_id is not None:
        provider = service.providers.get(provider_id)
        if provider is None:
            raise ValueError(f"provider {provider_id} does not exist")
        appointments = service.appointments.where("provider_id", provider_id)
        title = f"{provider.name} ({provider_id})"
    else:
        appointments = service.appointments.where("patient_id", patient_id)
        title = f"Appointments of {patient_id}"
    names = {p.id: p.name for p in service.providers.all()}
    names.update({r.id: r.name for r in service.rooms.all()})
    return appointments_to_ics(sorted(appointments, key=lambda a: a.start), title=title, names=names)
