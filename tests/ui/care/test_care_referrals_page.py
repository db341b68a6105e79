"""Referrals through the widgets: draft, every workflow step, refusals, letter PDF,
clinic-wide list with filters, departments list."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from hms_desktop.domain.referrals import Referral, ReferralStatus, Urgency
from hms_desktop.ui.care import create_referrals_page
from hms_desktop.ui.care.departments_dialog import DepartmentsDialog
from hms_desktop.ui.care.referrals_window import ReferralsWindow
from tests.ui.care.conftest import OTHER, PATIENT, click, drain, find, open_page


def page_for(ctx: Any, qtbot: QtBot) -> Any:
    return open_page(create_referrals_page, ctx, qtbot)


def create_draft(page: Any, ctx: Any, qtbot: QtBot, reason: str = "Palpitations") -> None:
    find(page, "Referred to department").setCurrentText("Cardiology")
    find(page, "Urgency").setCurrentText("urgent")
    qtbot.keyClicks(find(page, "Reason for referral"), reason)
    click(page, "Create referral draft", ctx, qtbot)


def step(page: Any, ctx: Any, qtbot: QtBot, to: str, on: date, **extra: Any) -> None:
    find(page, "Next step").setCurrentText(to)
    find(page, "Step date").setDate(QDate(on))
    if "appointment" in extra:
        find(page, "Appointment date").setDate(QDate(extra["appointment"]))
    if "reason" in extra:
        qtbot.keyClicks(find(page, "Cancellation reason"), extra["reason"])
    click(page, "Apply step", ctx, qtbot)


def test_draft_through_every_step(care_ctx: Any, qtbot: QtBot) -> None:
    page = page_for(care_ctx, qtbot)
    create_draft(page, care_ctx, qtbot)
    assert find(page, "Referral message").text() == "Draft REF000001 created."
    table = find(page, "Patient referrals").model()
    assert table.rowCount() == 1 and table.cell(0, 4) == "draft"
    next_step = find(page, "Next step")
    assert [next_step.itemText(i) for i in range(next_step.count())] == ["sent", "cancelled"]
    today = date.today()
    step(page, care_ctx, qtbot, "sent", today)
    step(page, care_ctx, qtbot, "appointment booked", today, appointment=today)
    step(page, care_ctx, qtbot, "seen", today)
    step(page, care_ctx, qtbot, "report received", today)
    ref = care_ctx.services.referrals.get("REF000001")
    assert ref.status is ReferralStatus.REPORT_RECEIVED
    assert ref.sent_on == ref.booked_on == ref.seen_on == ref.report_on == today
    assert [v.record.status.value for v in care_ctx.services.referrals.history("REF000001")] == [
        "draft", "sent", "appointment booked", "seen", "report received"]
    assert not find(page, "Referral step").isEnabled()  # finished: no step left


def test_missing_reason_refused_nothing_written(care_ctx: Any, qtbot: QtBot) -> None:
    page = page_for(care_ctx, qtbot)
    click(page, "Create referral draft", care_ctx, qtbot)
    assert "reason: is required" in find(page, "Referral message").text()
    assert care_ctx.services.referrals.for_patient(PATIENT, date.today()) == []


def test_cancel_needs_reason(care_ctx: Any, qtbot: QtBot) -> None:
    page = page_for(care_ctx, qtbot)
    create_draft(page, care_ctx, qtbot)
    step(page, care_ctx, qtbot, "cancelled", date.today())
    assert "reason is required" in find(page, "Referral message").text()
    assert care_ctx.services.referrals.get("REF000001").status is ReferralStatus.DRAFT
    step(page, care_ctx, qtbot, "cancelled", date.today(), reason="seen privately")
    ref = care_ctx.services.referrals.get("REF000001")
    assert ref.status is ReferralStatus.CANCELLED and ref.cancel_reason == "seen privately"


def test_step_before_previous_date_refused(care_ctx: Any, qtbot: QtBot) -> None:
    page = page_for(care_ctx, qtbot)
    create_draft(page, care_ctx, qtbot)
    step(page, care_ctx, qtbot, "sent", date(2000, 1, 1))
    assert "before the previous step" in find(page, "Referral message").text()


def write_letter(page: Any, qtbot: QtBot) -> None:
    """Press "Letter PDF…" (the path chosen by the test); the PDF is written on a reader thread
    while the button waits."""
    button = find(page, "Print referral letter")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert not button.isEnabled() and find(page, "Referral message").text().startswith("Writing the letter")
    qtbot.waitUntil(lambda: find(page, "Referral message").text().startswith("Letter "), timeout=20000)
    assert button.isEnabled()


def test_letter_pdf_has_patient_and_reason(care_ctx: Any, qtbot: QtBot, tmp_path: Path) -> None:
    page = page_for(care_ctx, qtbot)
    create_draft(page, care_ctx, qtbot, reason="Syncope on exertion")
    out = tmp_path / "letter.pdf"
    page.choose_pdf_path = lambda suggested: out
    write_letter(page, qtbot)
    assert find(page, "Referral message").text() == f"Letter saved to {out}"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(str(out)).pages).split())
    assert "Syncope on exertion" in text and PATIENT in text and "Cardiology" in text


def _seed(ctx: Any) -> None:
    svc = ctx.services.referrals
    base = dict(reason="r", referred_by="Dr A", created_on=date(2026, 11, 1))
    svc.create(Referral(patient_id=PATIENT, to_department="Cardiology", urgency=Urgency.URGENT, **base))
    svc.create(Referral(patient_id=OTHER, to_department="Oncology", **base))
    svc.advance("REF000002", ReferralStatus.SENT, date(2026, 11, 2))


def test_clinic_wide_list_filters_and_opens_patient(care_ctx: Any, qtbot: QtBot) -> None:
    _seed(care_ctx)
    window = ReferralsWindow(care_ctx, today=date(2026, 11, 4))
    qtbot.addWidget(window)
    drain(care_ctx, qtbot)
    model = find(window, "All referrals table").model()
    assert model.rowCount() == 2
    assert find(window, "Referrals count").text() == "2 referrals, 1 late"
    find(window, "Filter by department").setCurrentText("Oncology")
    drain(care_ctx, qtbot)
    assert model.rowCount() == 1 and model.cell(0, 0) == OTHER
    find(window, "Filter by department").setCurrentText("all")
    find(window, "Late only").setChecked(True)
    drain(care_ctx, qtbot)
    assert model.rowCount() == 1 and model.cell(0, 0) == PATIENT
    assert "not sent after 3 days" in model.cell(0, 12)
    find(window, "Late only").setChecked(False)
    find(window, "Filter by status").setCurrentText("sent")
    drain(care_ctx, qtbot)
    assert [model.cell(i, 2) for i in range(model.rowCount())] == ["REF000002"]
    find(window, "All referrals table").activated.emit(model.index(0, 0))
    assert care_ctx.current_patient.patient_id == OTHER


def test_departments_add_rename_retire(care_ctx: Any, qtbot: QtBot) -> None:
    dialog = DepartmentsDialog(care_ctx)
    qtbot.addWidget(dialog)
    table = find(dialog, "Departments table")
    assert table.model().rowCount() == 9
    name = find(dialog, "Department name")
    name.setText("Cardiology")
    click(dialog, "Add department", care_ctx, qtbot)
    assert "already exists" in find(dialog, "Departments message").text()
    name.setText("Psychiatry")
    click(dialog, "Add department", care_ctx, qtbot)
    assert table.model().rowCount() == 10
    table.selectRow(table.model().row_of("DEP000010"))
    name.setText("Psychiatry and Psychology")
    click(dialog, "Rename department", care_ctx, qtbot)
    click(dialog, "Retire or restore department", care_ctx, qtbot)
    names = [d.name for d in care_ctx.services.referrals.departments()]
    assert "Psychiatry and Psychology" not in names
    all_names = [d.name for d in care_ctx.services.referrals.departments(include_inactive=True)]
    assert "Psychiatry and Psychology" in all_names


def test_letter_uses_registered_patient_identity(care_ctx: Any, qtbot: QtBot, tmp_path: Path) -> None:
    from hms_desktop.domain.patient import Patient

    saved = care_ctx.services.patients.register(Patient(
        given_name="Grace", family_name="Hopper", date_of_birth=date(1936, 12, 9), sex="female"))
    page = create_referrals_page(care_ctx)
    qtbot.addWidget(page)
    care_ctx.current_patient.select(saved.id)
    create_draft(page, care_ctx, qtbot, reason="Breathlessness")
    out = tmp_path / "letter.pdf"
    page.choose_pdf_path = lambda suggested: out
    write_letter(page, qtbot)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(str(out)).pages).split())
    assert "Grace Hopper" in text and "1936-12-09" in text and saved.id in text
    assert "Allergies: not recorded" in text


def test_history_shows_each_step_with_who(care_ctx: Any, qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QApplication

    page = page_for(care_ctx, qtbot)
    create_draft(page, care_ctx, qtbot)
    step(page, care_ctx, qtbot, "sent", date.today())
    click(page, "Referral history", care_ctx, qtbot)
    [dialog] = [w for w in QApplication.topLevelWidgets()
                if w.accessibleName() == "History of referral REF000001" and w.isVisible()]
    table = find(dialog, "Versions")
    assert table.rowCount() == 2
    assert table.item(1, 2).text() == "nurse.test"
    assert "Status: draft → sent" in table.item(1, 3).text()
    dialog.close()


def test_letter_is_signed_from_clinic_settings_with_the_address_and_prints_through_the_print_dialog(
        care_ctx: Any, qtbot: QtBot, tmp_path: Path) -> None:
    """Issue 13 item 13: the letter was signed "root" and had no clinic address."""

    from hms_desktop.domain.clinic_settings import ClinicSettings
    from hms_desktop.services.settings_file import load_settings

    settings = ClinicSettings(clinic_name="Riverside Surgery", clinic_address="12 Mill Lane\nOxford OX1 2AB",
                              letter_signatory="Dr Amara Okafor", letter_signatory_role="General Practitioner")
    done: list[object] = []
    care_ctx.update_settings(settings, on_done=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=5000)
    assert load_settings(care_ctx.data_dir).letter_signatory == "Dr Amara Okafor"  # on disk, read back
    page = page_for(care_ctx, qtbot)
    create_draft(page, care_ctx, qtbot, reason="Syncope on exertion")
    out = tmp_path / "letter.pdf"
    page.choose_pdf_path = lambda suggested: out
    write_letter(page, qtbot)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(str(out)).pages).split())
    assert "Riverside Surgery" in text and "12 Mill Lane" in text and "Oxford OX1 2AB" in text
    assert "Yours sincerely, Dr Amara Okafor General Practitioner" in text
    # Direct printing: the real QPrintDialog, its printer pointed at a file as a print queue would be.
    qtbot.mouseClick(find(page, "Print referral letter on a printer"), Qt.MouseButton.LeftButton)
    dialog = page.print_dialog
    assert dialog is not None and dialog.isVisible() and dialog.accessibleName() == "Print referral letter"
    printed = tmp_path / "printed.pdf"
    # No print queue on the test machine: Qt offers "Print to File (PDF)"; type its file name
    # into the dialog's own field as a person would, then print.
    from PySide6.QtWidgets import QLineEdit

    [file_field] = [w for w in dialog.findChildren(QLineEdit) if w.objectName() == "filename"]
    file_field.setText(str(printed))
    dialog.accept()
    qtbot.waitUntil(lambda: printed.exists() and printed.stat().st_size > 0, timeout=5000)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(str(printed)).pages).split())
    assert "Syncope on exertion" in text and "Dr Amara Okafor" in text


def test_the_letter_is_signed_by_the_signed_in_clinician_with_their_registration_number(
        care_ctx: Any, qtbot: QtBot, tmp_path: Path) -> None:
    """Issue 14 item 6: the person who prints the letter signs it, not the settings' name."""
    from hms_desktop.domain.accounts import Role

    passphrase = "a ward round before breakfast"
    accounts = care_ctx.services.accounts
    accounts.create("dr.lee", "Dr Lee Okoro", [Role.CLINICIAN], passphrase, registration_number="GMC7654321",
                    must_change=False)
    care_ctx.sign_in(accounts.authenticate("dr.lee", passphrase))
    page = page_for(care_ctx, qtbot)
    create_draft(page, care_ctx, qtbot, reason="Syncope on exertion")
    out = tmp_path / "letter.pdf"
    page.choose_pdf_path = lambda suggested: out
    write_letter(page, qtbot)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(str(out)).pages).split())
    assert "Yours sincerely, Dr Lee Okoro Clinician · Registration no. GMC7654321" in text
