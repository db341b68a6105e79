"""Booking through the service on a real store: conflicts, hours, statuses, series, DST."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hms_desktop.domain.schedule_recurrence import Recurrence
from hms_desktop.domain.schedule_time import utc_to_wall
from hms_desktop.domain.scheduling import AppointmentStatus, AvailabilityException
from hms_desktop.services.bus import EventBus
from hms_desktop.services.scheduling import BookingError, SchedulingService
from hms_desktop.storage import Store
from hms_desktop.storage.scheduling import APPOINTMENTS, SERIES
from tests.schedule_support import LONDON, Recorder, draft, local

pytest_plugins = ["tests.schedule_fixtures"]


@pytest.fixture(params=["csv", "postgresql"])
def store(request: pytest.FixtureRequest, data_dir: Path) -> Iterator[Any]:
    """Every booking rule on both backends: the CSV folder and a PostgreSQL server."""
    if request.param == "csv":
        folder = Store(data_dir, actor="tester")
        yield folder
        folder.close()
        return
    from hms_desktop.storage.postgres import open_pg_store
    from tests.pg_support import fresh_schema

    with fresh_schema() as url:
        server = open_pg_store(url, data_dir=data_dir, actor="tester")
        yield server
        server.close()


def reopen(store: Any) -> Any:
    """The same clinic opened afresh, as after a restart."""
    if isinstance(store, Store):
        return Store(store.data_dir)
    from hms_desktop.storage.postgres import open_pg_store

    return open_pg_store(store.conninfo, data_dir=store.data_dir)


def test_book_saves_durably_and_publishes(service: SchedulingService, store: Store) -> None:
    seen = Recorder()
    service.bus.subscribe(seen)
    saved = service.book(draft(local(2026, 3, 2, 9)))
    assert saved.id == "APT000001" and saved.status == AppointmentStatus.BOOKED
    assert saved.status_by == "tester" and saved.tz == "Europe/London"
    assert seen.changes[-1].ids == ("APT000001",)
    store.close()
    reopened = reopen(store)
    try:
        again = reopened.table(APPOINTMENTS).get("APT000001")
        assert again is not None and again.start == local(2026, 3, 2, 9)
    finally:
        reopened.close()


def test_one_minute_overlap_refused_naming_the_appointment(service: SchedulingService) -> None:
    service.book(draft(local(2026, 3, 2, 9)))
    # By name, with whom (issue 13 item 8: "DOC000001" meant nothing at the desk)
    with pytest.raises(BookingError, match=r"Dr Ada Lovelace \(DOC000001\) is already booked with Pat1 Tester "
                                           r"\(PAT000001\) in APT000001 \(Mon 02 Mar 2026 09:00–09:30\)"):
        service.book(draft(local(2026, 3, 2, 9, 29), pat="PAT000002"))
    assert len(service.appointments) == 1
    service.book(draft(local(2026, 3, 2, 9, 30), pat="PAT000002"))  # back-to-back is fine


def test_patient_and_room_clash_across_providers(service: SchedulingService) -> None:
    service.book(draft(local(2026, 3, 2, 10), room="ROM000001"))
    with pytest.raises(BookingError) as err:
        service.book(draft(local(2026, 3, 2, 10, 15), doc="DOC000002", room="ROM000001"))
    problems = err.value.problems
    assert any(p.startswith("Patient Pat1 Tester (PAT000001) already has APT000001 with Dr Ada Lovelace")
               for p in problems), problems
    assert any(p.startswith("Room ") and "(ROM000001) is already booked in APT000001 with Dr Ada Lovelace" in p
               for p in problems), problems
    assert not any("DOC000002" in p for p in problems)


def test_cancelled_appointment_frees_its_slot(service: SchedulingService) -> None:
    first = service.book(draft(local(2026, 3, 2, 9)))
    with pytest.raises(ValueError, match="reason is required"):
        service.set_status(first.id, "cancelled")
    service.set_status(first.id, "cancelled", reason="patient unwell")
    second = service.book(draft(local(2026, 3, 2, 9), pat="PAT000002"))
    assert second.id == "APT000002"


def test_outside_hours_needs_recorded_override(service: SchedulingService) -> None:
    evening = draft(local(2026, 3, 2, 18))
    with pytest.raises(BookingError, match=r"outside provider Dr Ada Lovelace \(DOC000001\)'s available hours") as err:
        service.book(evening)
    assert err.value.outside_hours
    saved = service.book(evening, override=True)
    assert saved.override_availability and saved.override_by == "tester"
    inside = service.book(draft(local(2026, 3, 2, 9)), override=True)
    assert not inside.override_availability  # an override that was not needed is not recorded


def test_leave_day_refuses_booking(service: SchedulingService) -> None:
    service.add_exception(AvailabilityException(provider_id="DOC000001", day=date(2026, 3, 3), kind="leave"))
    with pytest.raises(BookingError, match="outside"):
        service.book(draft(local(2026, 3, 3, 10)))


def test_status_flow_is_dated_and_attributed(service: SchedulingService) -> None:
    appt = service.book(draft(local(2026, 3, 2, 9)))
    service.set_status(appt.id, "checked_in")
    done = service.set_status(appt.id, AppointmentStatus.COMPLETED)
    assert done.status_by == "tester" and done.status_at is not None
    history = service.appointments.history(appt.id)
    assert [v.record.status for v in history] == ["booked", "checked_in", "completed"]
    with pytest.raises(ValueError, match="cannot change from completed to booked"):
        service.set_status(appt.id, "booked")


def test_move_checks_conflicts_and_ignores_itself(service: SchedulingService) -> None:
    a = service.book(draft(local(2026, 3, 2, 9)))
    service.book(draft(local(2026, 3, 2, 10), pat="PAT000002"))
    moved = service.move(a.id, local(2026, 3, 2, 9, 10), local(2026, 3, 2, 9, 40))
    assert moved.start == local(2026, 3, 2, 9, 10)
    with pytest.raises(BookingError, match="APT000002"):
        service.move(a.id, local(2026, 3, 2, 9, 45), local(2026, 3, 2, 10, 15))
    assert service.appointments.get(a.id).start == local(2026, 3, 2, 9, 10)  # type: ignore[union-attr]


def test_weekly_series_across_dst_stays_at_nine_local(service: SchedulingService) -> None:
    start = local(2026, 3, 20, 9)
    occurrences = service.book_series(draft(start), Recurrence(freq="weekly", weekdays=[4], count=4))
    assert len(occurrences) == 4 and len({o.series_id for o in occurrences}) == 1
    walls = [utc_to_wall(o.start, LONDON) for o in occurrences]
    assert [w.strftime("%d %H:%M") for w in walls] == ["20 09:00", "27 09:00", "03 09:00", "10 09:00"]
    assert occurrences[0].start.hour == 9 and occurrences[2].start.hour == 8  # GMT then BST


def test_series_conflict_found_before_anything_saved(service: SchedulingService) -> None:
    service.book(draft(local(2026, 3, 16, 9, 15), pat="PAT000002"))  # clashes with 3rd occurrence
    with pytest.raises(BookingError, match=r"16 Mar 2026 09:00: Dr Ada Lovelace \(DOC000001\) is already booked with Pat2 Tester"):
        service.book_series(draft(local(2026, 3, 2, 9)), Recurrence(freq="weekly", count=4))
    assert len(service.appointments) == 1
    assert len(service.store.table(SERIES)) == 0


def test_series_members_change_independently_and_this_and_following(service: SchedulingService) -> None:
    occ = service.book_series(draft(local(2026, 3, 2, 9)), Recurrence(freq="daily", count=5))
    service.set_status(occ[1].id, "cancelled", reason="bank holiday")
    assert [service.appointments.get(o.id).status for o in occ].count("cancelled") == 1  # type: ignore[union-attr]
    moved = service.move_following(occ[2].id, datetime(2026, 3, 4, 11, 0))
    assert [utc_to_wall(m.start, LONDON).strftime("%d %H:%M") for m in moved] == [
        "04 11:00", "05 11:00", "06 11:00"]
    assert service.appointments.get(occ[0].id).start == local(2026, 3, 2, 9)  # type: ignore[union-attr]
    cancelled = service.cancel_following(occ[3].id, "provider leaving")
    assert [c.id for c in cancelled] == [occ[3].id, occ[4].id]
    assert service.appointments.get(occ[2].id).status == "booked"  # type: ignore[union-attr]


def test_find_next_free_slot_skips_busy_and_closed_times(service: SchedulingService) -> None:
    service.book(draft(local(2026, 3, 2, 9), pat="PAT000009"))
    slot = service.find_next_free_slot(after=local(2026, 3, 2, 8), minutes=30, provider_id="DOC000001",
                                       patient_id="PAT000001")
    assert slot is not None and slot.start == local(2026, 3, 2, 9, 30)
    late = service.find_next_free_slot(after=local(2026, 3, 6, 16, 50), minutes=30, provider_id="DOC000001")
    assert late is not None and late.start == local(2026, 3, 9, 9)  # Friday full -> Monday


@pytest.mark.slow
def test_find_next_free_slot_any_provider_of_department(service: SchedulingService) -> None:
    service.book(draft(local(2026, 3, 2, 9), minutes=60, pat="PAT000009"))
    slot = service.find_next_free_slot(after=local(2026, 3, 2, 9), minutes=30, department="Cardiology")
    assert slot is not None and (slot.provider_id, slot.start) == ("DOC000002", local(2026, 3, 2, 9))
    with pytest.raises(ValueError, match="no active providers in Oncology"):
        service.find_next_free_slot(after=local(2026, 3, 2, 9), minutes=30, department="Oncology")


def test_index_rebuilt_from_disk_after_restart(service: SchedulingService, store: Store) -> None:
    service.book(draft(local(2026, 3, 2, 9)))
    store.close()
    reopened = reopen(store)
    try:
        fresh = SchedulingService(reopened, EventBus())
        with pytest.raises(BookingError, match="APT000001"):
            fresh.book(draft(local(2026, 3, 2, 9, 15), pat="PAT000002"))
        week = fresh.appointments_between(local(2026, 3, 2, 0), local(2026, 3, 2, 0) + timedelta(days=7))
        assert [a.id for a in week] == ["APT000001"]
    finally:
        reopened.close()


def test_changed_weekly_hours_retire_old_rows(service: SchedulingService) -> None:
    from hms_desktop.domain.scheduling import Availability

    service.set_weekly_hours("DOC000001", [Availability(provider_id="-", weekday=0, start="13:00", end="15:00")])
    with pytest.raises(BookingError, match="outside"):
        service.book(draft(local(2026, 3, 2, 9)))
    service.book(draft(local(2026, 3, 2, 13)))
    rows = service.availability.where("provider_id", "DOC000001")
    assert sum(r.active for r in rows) == 1 and len(rows) == 6  # five retired rows kept


def test_withdrawn_leave_reopens_the_day(service: SchedulingService) -> None:
    leave = service.add_exception(AvailabilityException(provider_id="DOC000001", day=date(2026, 3, 3),
                                                        kind="leave"))
    assert not service.within_hours(draft(local(2026, 3, 3, 10)))
    service.withdraw_exception(leave.id)
    assert service.within_hours(draft(local(2026, 3, 3, 10)))


def test_unknown_merged_and_deceased_patients_refused(service: SchedulingService) -> None:
    from hms_desktop.domain.patient import PatientStatus

    with pytest.raises(BookingError, match="patient PAT999999 does not exist"):
        service.book(draft(local(2026, 3, 2, 9), pat="PAT999999"))
    service.patients.update("PAT000003", {"status": PatientStatus.DECEASED, "deceased_on": date(2026, 1, 1)})
    with pytest.raises(BookingError, match="PAT000003 is recorded as deceased"):
        service.book(draft(local(2026, 3, 2, 9), pat="PAT000003"))
    service.patients.update("PAT000004", {"status": PatientStatus.MERGED, "merged_into": "PAT000005"})
    with pytest.raises(BookingError, match="merged into PAT000005"):
        service.book(draft(local(2026, 3, 2, 9), pat="PAT000004"))
    assert len(service.appointments) == 0


def test_clinic_zone_comes_from_the_settings_file(store: Store) -> None:
    from hms_desktop.domain.clinic_settings import ClinicSettings
    from hms_desktop.services.settings_file import save_settings

    save_settings(store.data_dir, ClinicSettings(time_zone="America/New_York"))
    assert SchedulingService(store, EventBus()).zone.key == "America/New_York"
    (store.data_dir / "settings.json").write_text("{broken", encoding="utf-8")
    assert SchedulingService(store, EventBus()).zone.key == "Europe/London"


def test_retired_room_refuses_new_bookings_but_moves_keep_it(service: SchedulingService) -> None:
    kept = service.book(draft(local(2026, 3, 2, 9), room="ROM000001"))
    service.set_room_active("ROM000001", False)
    with pytest.raises(BookingError, match=r"room ROM000001 \(Room 1\) is retired"):
        service.book(draft(local(2026, 3, 2, 10), pat="PAT000002", room="ROM000001"))
    moved = service.move(kept.id, local(2026, 3, 2, 11), local(2026, 3, 2, 11, 30))
    assert moved.room_id == "ROM000001"


def test_a_refused_series_leaves_no_series_row_behind(service: SchedulingService, store: Any) -> None:
    service.book(draft(local(2026, 3, 9, 9)))
    with pytest.raises(BookingError):
        service.book_series(draft(local(2026, 3, 2, 9), pat="PAT000002"), Recurrence(freq="weekly", count=3))
    assert len(service.series) == 0
    again = reopen(store)
    try:
        assert len(again.table(SERIES)) == 0 and len(again.table(APPOINTMENTS)) == 1
    finally:
        again.close()
