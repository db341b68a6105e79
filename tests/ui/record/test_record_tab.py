"""The Record tab as a user meets it: header and allergy banner, following the current
patient, visits requested by Schedule, follow-up booking, timeline, notes amendments, PDF."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QListWidget, QPushButton, QTableView, QTextBrowser

from hms_desktop.domain.record import Allergy, ClinicalNote, Medication, Problem, Section, Visit
from hms_desktop.ui.record.tab import RecordTab
from tests.ui.record.conftest import add_patient
from tests.ui.record.test_record_sections import find


@pytest.fixture
def tab(record_tab: RecordTab, record_ctx: Any) -> RecordTab:
    return record_tab


def click(qtbot: Any, button: QPushButton) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_header_and_allergy_banner(qtbot: Any, tab: RecordTab, record_ctx: Any) -> None:
    identity = find(tab, QLabel, "Patient identity")
    assert "No patient selected" in identity.text()
    pid = add_patient(record_ctx.services, "Zoë", "Ó Briain", "1980-02-29", "female", "AB-")
    record_ctx.current_patient.select(pid)
    text = identity.text()
    for part in ("Zoë Ó BRIAIN", pid, f"Age {date.today().year - 1980 - (date.today() < date(date.today().year, 3, 1))}",
                 "AB-", "female"):
        assert part in text, part

    banner = find(tab, QLabel, "Allergy banner")
    assert banner.text() == "Allergies not recorded" and not banner.property("alert")
    click(qtbot, find(tab, QPushButton, "Record no known allergies"))
    qtbot.waitUntil(lambda: banner.text() == "No known allergies")
    assert not banner.property("alert")
    assert banner.toolTip().startswith("Recorded by dr.test at ")

    record_ctx.services.record.add(Section.ALLERGIES, Allergy(patient_id=pid, substance="Penicillin",
                                                              severity="life-threatening"))
    qtbot.waitUntil(lambda: banner.text() == "ALLERGIES: Penicillin (life-threatening)")
    assert banner.property("alert") is True and "#c62828" in banner.styleSheet()
    assert not find(tab, QPushButton, "Record no known allergies").isEnabled()


def test_pages_follow_the_current_patient(qtbot: Any, tab: RecordTab, record_ctx: Any) -> None:
    record = record_ctx.services.record
    record.add(Section.MEDICATIONS, Medication(patient_id="PAT000001", name="Metformin", dose=500, unit="mg",
                                               frequency="twice daily"))
    record_ctx.current_patient.select("PAT000001")
    page = tab.show_page("Medications")
    table = find(page, QTableView, "Medications list")
    assert table.model().rowCount() == 1
    record_ctx.current_patient.select("PAT000002")
    assert table.model().rowCount() == 0
    assert find(tab, QLabel, "Allergy banner").text() == "Allergies not recorded"
    # keyboard: the page list moves with the arrow keys
    pages = find(tab, QListWidget, "Record pages")
    pages.setFocus()
    row = pages.currentRow()
    qtbot.keyClick(pages, Qt.Key.Key_Down)
    assert pages.currentRow() == row + 1
    assert tab.current_page() is tab.page(pages.currentItem().text())


def test_schedule_request_opens_a_prefilled_visit(qtbot: Any, tab: RecordTab, record_ctx: Any) -> None:
    at = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
    record_ctx.navigation.request_visit_log(patient_id="PAT000002", provider_id="DOC000003",
                                            appointment_id="APT000045", at=at)
    assert record_ctx.current_patient.patient_id == "PAT000002"
    page = tab.page("Visit log")
    assert tab.current_page() is page
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.input("doctor").text() == "DOC000003"
    dialog.set_value("symptoms", "chest pain on exertion")
    click(qtbot, find(dialog, QPushButton, "Save"))
    qtbot.waitUntil(lambda: len(record_ctx.services.record.entries(Section.VISITS, "PAT000002")) == 1)
    visit = record_ctx.services.record.entries(Section.VISITS, "PAT000002")[0]
    assert (visit.appointment_id, visit.provider_id, visit.at) == ("APT000045", "DOC000003", at)


def test_book_follow_up_requests_a_prefilled_booking(qtbot: Any, tab: RecordTab, record_ctx: Any) -> None:
    record_ctx.services.record.add(Section.VISITS, Visit(
        patient_id="PAT000001", doctor="Dr Raman", diagnosis="Hypertension", at=datetime(2026, 11, 2, 9, tzinfo=UTC),
        follow_up_required=True, next_visit=date(2026, 11, 16)))
    record_ctx.current_patient.select("PAT000001")
    page = tab.show_page("Visit log")
    requests: list[dict] = []
    record_ctx.navigation.sig_booking_requested.connect(requests.append)
    book = find(page, QPushButton, "Book follow-up")
    assert not book.isEnabled()  # nothing selected
    find(page, QTableView, "Visit log list").selectRow(0)
    assert book.isEnabled()
    click(qtbot, book)
    assert len(requests) == 1
    assert requests[0]["patient_id"] == "PAT000001"
    assert requests[0]["start"].date() == date(2026, 11, 16)
    assert requests[0]["reason"] == "Follow-up: Hypertension"


def test_note_amendment_keeps_the_original_visible(qtbot: Any, tab: RecordTab, record_ctx: Any) -> None:
    record = record_ctx.services.record
    note = record.add(Section.NOTES, ClinicalNote(patient_id="PAT000001", author="Dr A", text="BP 150/95 left arm"))
    record_ctx.current_patient.select("PAT000001")
    page = tab.show_page("Clinical notes")
    table = find(page, QTableView, "Clinical notes list")
    table.selectRow(0)
    click(qtbot, find(page, QPushButton, "Amend selected note"))
    page.dialog.set_value("text", "Correction: BP 130/85 right arm")
    click(qtbot, find(page.dialog, QPushButton, "Save"))
    qtbot.waitUntil(lambda: len(record.entries(Section.NOTES, "PAT000001")) == 2)
    qtbot.waitUntil(lambda: "Correction" in find(page, QTextBrowser, "Clinical notes entry detail").toPlainText())
    detail = find(page, QTextBrowser, "Clinical notes entry detail").toPlainText()
    assert detail.index("BP 150/95 left arm") < detail.index("Correction: BP 130/85 right arm")
    assert table.model().rowCount() == 1  # amendments sit under their original
    assert table.model().data(table.model().index(0, table.model().columnCount() - 1)) == "1"
    assert record.get(Section.NOTES, note.id).text == "BP 150/95 left arm"


def test_timeline_lists_everything_and_filters_by_kind(qtbot: Any, tab: RecordTab, record_ctx: Any) -> None:
    record = record_ctx.services.record
    record.add(Section.PROBLEMS, Problem(patient_id="PAT000001", condition="Asthma", onset=date(2010, 5, 1)))
    record.add(Section.VISITS, Visit(patient_id="PAT000001", doctor="Dr B", diagnosis="Viral URTI",
                                     at=datetime(2024, 1, 2, 10, tzinfo=UTC)))
    record.add(Section.ALLERGIES, Allergy(patient_id="PAT000001", substance="Latex", severity="mild",
                                          noted_on=date(2018, 1, 1)))
    record_ctx.current_patient.select("PAT000001")
    page = tab.show_page("Timeline")
    table = find(page, QTableView, "Timeline")
    model = table.model()
    qtbot.waitUntil(lambda: model.rowCount() == 3)  # loaded on a reader thread
    assert [model.data(model.index(r, 1)) for r in range(model.rowCount())] == ["Visit", "Allergy", "Problem"]
    assert model.data(model.index(2, 0)) == "2010-05-01"
    combo = find(page, QComboBox, "Timeline kind filter")
    combo.setCurrentText("Allergy")
    assert model.rowCount() == 1 and model.data(model.index(0, 2)) == "Latex"
    # a new entry elsewhere appears without reopening the page, and the filter is kept
    record.add(Section.ALLERGIES, Allergy(patient_id="PAT000001", substance="Peanuts", severity="severe",
                                          noted_on=date(2020, 1, 1)))
    qtbot.waitUntil(lambda: model.rowCount() == 2)


def write_summary(qtbot: Any, tab: RecordTab, path: Path) -> Path:
    """Press "Print summary" as far as the file dialog; the PDF is written on a reader thread
    while the button waits and the message says so."""
    header = tab.header
    with qtbot.waitSignal(header.sig_summary_written, timeout=30000) as written:
        header.print_summary_to(path)
        assert not header.print_button.isEnabled()
        assert header.message.text().startswith("Writing the summary of ")
    assert header.print_button.isEnabled() and header.message.text().endswith(f"saved to {path}")
    return Path(written.args[0])


@pytest.mark.slow
def test_summary_pdf_holds_name_and_allergies(qtbot: Any, tab: RecordTab, record_ctx: Any, tmp_path: Path) -> None:
    pid = add_patient(record_ctx.services, "Amara", "Okafor", "1971-06-15", "female", "O+")
    record = record_ctx.services.record
    record.add(Section.ALLERGIES, Allergy(patient_id=pid, substance="Penicillin", reaction="anaphylaxis",
                                          severity="life-threatening"))
    record.add(Section.PROBLEMS, Problem(patient_id=pid, condition="Type 2 diabetes mellitus", chronic=True))
    record.add(Section.MEDICATIONS, Medication(patient_id=pid, name="Metformin", dose=500, unit="mg",
                                               frequency="twice daily"))
    from hms_desktop.domain.observations import Observation
    from hms_desktop.domain.referrals import Referral

    record_ctx.services.observations.record(Observation(
        patient_id=pid, at=datetime(2026, 11, 20, 8, tzinfo=UTC), respiration_rate=22, spo2=95, on_oxygen=False,
        systolic=105, pulse=95, consciousness="alert", temperature=38.4))
    record_ctx.services.referrals.create(Referral(patient_id=pid, to_department="Cardiology",
                                                  reason="Exertional chest pain", referred_by="Dr Raman",
                                                  created_on=date(2026, 11, 1)))
    record_ctx.current_patient.select(pid)
    path = write_summary(qtbot, tab, tmp_path / "summary.pdf")
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)
    for expected in ("Amara OKAFOR", pid, "Penicillin", "anaphylaxis", "life-threatening",
                     "Type 2 diabetes mellitus", "Metformin",
                     # RR 22 -> 2, SpO2 95 -> 1, air 0, SBP 105 -> 1, pulse 95 -> 1, alert 0, 38.4 -> 1
                     "NEWS2 6", "Cardiology", "Exertional chest pain"):
        assert expected in text, expected


@pytest.mark.slow
def test_summary_is_complete_paginated_and_framed(qtbot: Any, tab: RecordTab, record_ctx: Any, tmp_path: Path) -> None:
    """Issue 13 item 12: diagnoses and notes were missing; every page now says whose summary it is,
    the clinic, the print date and "Page n of N"."""
    from hms_desktop.domain.clinic_settings import ClinicSettings
    from hms_desktop.domain.record import ClinicalNote, Diagnosis

    done: list[object] = []
    record_ctx.update_settings(ClinicSettings(clinic_name="Riverside Surgery", clinic_address="12 Mill Lane\nOxford"),
                               on_done=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=5000)
    pid = add_patient(record_ctx.services, "Amara", "Okafor", "1971-06-15", "female", "O+")
    record = record_ctx.services.record
    record.add(Section.DIAGNOSES, Diagnosis(patient_id=pid, description="Community-acquired pneumonia",
                                            icd10="J18.9", doctor="Dr Raman", diagnosed_on=date(2026, 10, 2)))
    for n in range(12):  # long notes: the summary needs several pages
        record.add(Section.NOTES, ClinicalNote(patient_id=pid, author="Dr Raman", text=f"Review {n}. " + "Plan. " * 300,
                                               at=datetime(2026, 1, 1 + n, 9, tzinfo=UTC)))
    record_ctx.current_patient.select(pid)
    path = write_summary(qtbot, tab, tmp_path / "summary.pdf")
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]
    assert len(pages) >= 3
    for n, page in enumerate(pages, start=1):
        assert f"Page {n} of {len(pages)}" in page
        assert f"Patient summary — Amara OKAFOR ({pid}) — Riverside Surgery" in page
        assert "Printed " in page
    text = " ".join(pages)
    for expected in ("12 Mill Lane", "Oxford", "Community-acquired pneumonia", "J18.9", "Review 11.",
                     "2 older notes are in the record"):
        assert expected in text, expected
    assert "Review 0." not in text  # the latest ten only


def test_read_only_folder_offers_no_writes_and_refuses_them(qtbot: Any, record_ctx: Any) -> None:
    """A second window on the same folder is read-only: it says so, offers no writing actions,
    and a write that gets through anyway is refused with a message, nothing pretended."""
    from hms_desktop.domain.record import Allergy as AllergyModel
    from hms_desktop.services.bus import EventBus
    from hms_desktop.services.container import build_services
    from hms_desktop.services.writer import BackgroundWriter
    from hms_desktop.storage import Store
    from hms_desktop.ui.record.tab import RecordTab
    from tests.ui.record.conftest import make_context

    record_ctx.services.record.add(Section.ALLERGIES, AllergyModel(patient_id="PAT000001", substance="Latex",
                                                                                severity="mild"))
    second = Store(record_ctx.store.data_dir)
    assert second.read_only
    bus = EventBus()
    writer = BackgroundWriter()
    try:
        ctx = make_context(build_services(second, bus), second, bus, writer, record_ctx.store.data_dir)
        tab = RecordTab(ctx)
        qtbot.addWidget(tab)
        tab.show()
        ctx.current_patient.select("PAT000001")
        page = tab.show_page("Allergies")
        message = find(page, QLabel, "Allergies message")
        assert message.text().startswith("Read-only")
        assert not find(page, QPushButton, "Add allergies entry").isEnabled()
        find(page, QTableView, "Allergies list").selectRow(0)
        assert not find(page, QPushButton, "Edit selected entry").isEnabled()
        assert not find(page, QPushButton, "Mark selected entry inactive").isEnabled()
        assert find(page, QPushButton, "History of selected entry").isEnabled()
        page.mark_selected_inactive()  # e.g. a keyboard path that slipped through
        qtbot.waitUntil(lambda: message.text().startswith("Not saved"))
        assert record_ctx.services.record.entries(Section.ALLERGIES, "PAT000001")[0].status.value == "active"
    finally:
        writer.shutdown()
        second.close()


def test_opening_a_timeline_entry_shows_it_in_its_section(qtbot: Any, tab: RecordTab, record_ctx: Any) -> None:
    record = record_ctx.services.record
    record.add(Section.MEDICATIONS, Medication(patient_id="PAT000001", name="Amlodipine", dose=5, unit="mg",
                                               frequency="once daily", start=date(2020, 1, 1)))
    target = record.add(Section.MEDICATIONS, Medication(patient_id="PAT000001", name="Metformin", dose=500,
                                                        unit="mg", frequency="twice daily", start=date(2015, 1, 1)))
    record_ctx.current_patient.select("PAT000001")
    page = tab.show_page("Timeline")
    table = find(page, QTableView, "Timeline")
    qtbot.waitUntil(lambda: table.model().rowCount() == 2)
    row = next(r for r in range(table.model().rowCount()) if "Metformin" in table.model().data(table.model().index(r, 2)))
    table.setCurrentIndex(table.model().index(row, 0))
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Return)
    meds = tab.page("Medications")
    assert tab.current_page() is meds
    assert meds.selected().id == target.id


def test_timeline_ignores_other_patients_live_vitals(qtbot: Any, tab: RecordTab, record_ctx: Any) -> None:
    from hms_desktop.services.bus import Change

    record_ctx.current_patient.select("PAT000001")
    page = tab.show_page("Timeline")
    reloads: list[int] = []
    original = page.refresh
    page.refresh = lambda: (reloads.append(1), original())[1]  # count reloads, keep behaviour
    for _ in range(5):  # the monitor appends vitals every second
        record_ctx.bus.publish(Change("vitals", ("PAT000009",), "append"))
    # Published on this (GUI) thread, so the page has already decided: no reload scheduled.
    assert not page._reload_timer.isActive() and reloads == []
    for _ in range(3):  # a burst about this patient: one reload
        record_ctx.services.record.add(Section.PROBLEMS, Problem(patient_id="PAT000001", condition="Gout"))
    qtbot.waitUntil(lambda: len(reloads) == 1)
    assert not page._reload_timer.isActive() and len(reloads) == 1  # nothing more is pending
    qtbot.waitUntil(lambda: table_rows(page) == 3)


def table_rows(page: Any) -> int:
    return int(find(page, QTableView, "Timeline").model().rowCount())


def test_times_follow_the_clinic_time_zone(qtbot: Any, tab: RecordTab, record_ctx: Any) -> None:
    """Shown in the clinic's zone (the Schedule's), not the workstation's; a change of the
    setting redraws them; stored times stay UTC."""
    from hms_desktop.domain.clinic_settings import ClinicSettings

    record_ctx.services.record.add(Section.VISITS, Visit(patient_id="PAT000001", doctor="Dr B",
                                                         at=datetime(2026, 7, 1, 15, 0, tzinfo=UTC)))
    record_ctx.current_patient.select("PAT000001")
    page = tab.show_page("Visit log")
    table = find(page, QTableView, "Visit log list")
    assert table.model().data(table.model().index(0, 0)) == "2026-07-01 16:00"  # London, summer time
    done: list[object] = []
    record_ctx.update_settings(ClinicSettings(time_zone="America/New_York"), on_done=done.append)
    qtbot.waitUntil(lambda: bool(done))
    assert table.model().data(table.model().index(0, 0)) == "2026-07-01 11:00"
    # typing 12:30 New York time stores 16:30 UTC
    table.selectRow(0)
    click(qtbot, find(page, QPushButton, "Edit selected entry"))
    page.dialog.set_value("at", datetime(2026, 7, 1, 16, 30, tzinfo=UTC))
    assert page.dialog.input("at").dateTime().toString("HH:mm") == "12:30"
    click(qtbot, find(page.dialog, QPushButton, "Save"))
    qtbot.waitUntil(lambda: record_ctx.services.record.entries(Section.VISITS, "PAT000001")[0].at
                    == datetime(2026, 7, 1, 16, 30, tzinfo=UTC))
