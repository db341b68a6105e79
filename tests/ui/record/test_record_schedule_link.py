"""Schedule → Record: a completed appointment's "log the visit" opens the visit prefilled with
the provider's name, and the saved visit is linked back to the appointment."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from hms_desktop.domain.record import Section
from hms_desktop.domain.scheduling import Appointment, Availability, Provider
from tests.ui.record.conftest import add_patient
from tests.ui.record.test_record_sections import find


def test_visit_logged_for_an_appointment_links_back(qtbot: Any, record_tab: Any, record_ctx: Any) -> None:
    services = record_ctx.services
    pid = add_patient(services, "Grace", "Hopper", "1956-12-09", "female", "A+")
    hours = [Availability(provider_id="-", weekday=d, start="09:00", end="17:00", slot_minutes=15) for d in range(7)]
    doctor = services.scheduling.add_provider(Provider(name="Dr Ada Lovelace", department="Cardiology"), hours)
    start = datetime(2026, 3, 2, 10, tzinfo=UTC)
    appt = services.scheduling.book(Appointment(patient_id=pid, provider_id=doctor.id, start=start,
                                                end=start.replace(minute=30), reason="review"))

    # what the Schedule tab does after "Completed"
    record_ctx.navigation.request_visit_log(patient_id=pid, provider_id=doctor.id, appointment_id=appt.id,
                                            at=appt.start)
    page = record_tab.page("Visit log")
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.input("doctor").text() == "Dr Ada Lovelace"
    dialog.set_value("diagnosis", "Stable angina")
    qtbot.mouseClick(find(dialog, QPushButton, "Save"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: services.scheduling.appointments.get(appt.id).visit_id != "")
    visit = services.record.entries(Section.VISITS, pid)[0]
    assert services.scheduling.appointments.get(appt.id).visit_id == visit.id
    assert (visit.appointment_id, visit.provider_id, visit.at, visit.doctor) == (
        appt.id, doctor.id, start, "Dr Ada Lovelace")
