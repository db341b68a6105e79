"""The .ics export parses back with icalendar with the same events and zoned times."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar

from hms_desktop.domain.schedule_recurrence import Recurrence
from hms_desktop.services.ics import export_ics
from hms_desktop.services.scheduling import SchedulingService
from tests.schedule_support import LONDON, draft, local

pytest_plugins = ["tests.schedule_fixtures"]


def events(data: bytes) -> dict[str, object]:
    cal = Calendar.from_ical(data)
    return {str(e["uid"]).split("@")[0]: e for e in cal.walk("VEVENT")}


def test_provider_export_round_trips_across_dst(service: SchedulingService) -> None:
    series = service.book_series(draft(local(2026, 3, 20, 9), room="ROM000001"),
                                 Recurrence(freq="weekly", count=3))
    service.set_status(series[1].id, "cancelled", reason="clinic closed")
    service.book(draft(local(2026, 3, 20, 10), doc="DOC000002", pat="PAT000002"))
    found = events(export_ics(service, provider_id="DOC000001"))
    assert sorted(found) == [a.id for a in series]
    for appt in series:
        event = found[appt.id]
        start = event["dtstart"].dt  # type: ignore[index]
        assert start == appt.start and start.utcoffset() is not None
        assert str(start.tzinfo) in ("Europe/London", LONDON.key)
        assert start.hour == 9  # wall-clock 09:00 both sides of the change
        assert event["dtend"].dt - start == timedelta(minutes=30)  # type: ignore[index]
        assert "Room 1" in str(event["location"])  # type: ignore[index]
    assert str(found[series[1].id]["status"]) == "CANCELLED"  # type: ignore[index]
    assert "Dr Ada Lovelace" in str(found[series[0].id]["summary"])  # type: ignore[index]


def test_patient_export_spans_providers(service: SchedulingService) -> None:
    a = service.book(draft(local(2026, 3, 2, 9)))
    b = service.book(draft(local(2026, 3, 3, 9), doc="DOC000002"))
    service.book(draft(local(2026, 3, 2, 10), pat="PAT000002"))
    assert sorted(events(export_ics(service, patient_id="PAT000001"))) == [a.id, b.id]


def test_unknown_provider_and_bad_arguments_named(service: SchedulingService) -> None:
    with pytest.raises(ValueError, match="provider DOC999999 does not exist"):
        export_ics(service, provider_id="DOC999999")
    with pytest.raises(ValueError, match="exactly one"):
        export_ics(service)


def _offset_at(vtimezone: object, wall: str) -> str:
    """The TZOFFSETTO in force at local ``wall`` (YYYYMMDDTHHMMSS), read from the VTIMEZONE
    text as RFC 5545 3.6.5 defines it: the latest onset (DTSTART or RDATE) not after it."""
    onsets: list[tuple[str, str]] = []
    for part in vtimezone.walk():  # type: ignore[attr-defined]
        if part.name not in ("STANDARD", "DAYLIGHT"):
            continue
        text = part.to_ical().decode().replace("\r\n ", "").replace("\n ", "")  # unfold (RFC 5545 3.1)
        lines = [line for line in text.splitlines() if ":" in line]
        fields = {line.split(":", 1)[0]: line.split(":", 1)[1] for line in lines}
        assert "RRULE" not in fields or "UNTIL" not in fields["RRULE"], "a rule that ends"
        starts = [fields["DTSTART"]] + [v for line in lines if line.startswith("RDATE")
                                        for v in line.split(":", 1)[1].split(",")]
        onsets += [(s, fields["TZOFFSETTO"]) for s in starts]
    before = [o for o in onsets if o[0] <= wall]
    assert before, f"the VTIMEZONE says nothing about {wall}"
    return max(before)[1]


def test_vtimezone_is_valid_for_an_appointment_in_2040(service: SchedulingService) -> None:
    """Issue 13 item 11: icalendar's default VTIMEZONE stops in 2038; 2 July 2040 09:00 in London
    is BST (+0100, EU rule: last Sunday of March to last Sunday of October), i.e. 08:00 UTC."""
    appt = service.book(draft(local(2040, 7, 2, 9)), override=True)
    cal = Calendar.from_ical(export_ics(service, provider_id="DOC000001"))
    [zone] = [z for z in cal.walk("VTIMEZONE") if str(z["TZID"]) == "Europe/London"]
    assert _offset_at(zone, "20400702T090000") == "+0100"
    assert _offset_at(zone, "20401202T090000") == "+0000"  # and winter time after 28 Oct 2040
    event = events(cal.to_ical())[appt.id]
    assert event["dtstart"].to_ical() == b"20400702T090000"  # type: ignore[index]
    assert event["dtstart"].params["TZID"] == "Europe/London"  # type: ignore[index]
