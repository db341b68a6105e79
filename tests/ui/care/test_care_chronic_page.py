"""Chronic care page through its widgets: enrol, edit with history, readings in both glucose
units, target bands, refusals, and the overdue list."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from pytestqt.qtbot import QtBot

from hms_desktop.domain.chronic import ChronicReading, Enrolment
from hms_desktop.ui.care import create_chronic_page
from hms_desktop.ui.care.overdue_dialog import OverdueDialog
from tests.ui.care.conftest import OTHER, PATIENT, click, drain, find, open_page


def page_for(ctx: Any, qtbot: QtBot) -> Any:
    return open_page(create_chronic_page, ctx, qtbot)


def type_into(page: Any, qtbot: QtBot, values: dict[str, str]) -> None:
    for name, text in values.items():
        field = find(page, name)
        field.clear()
        qtbot.keyClicks(field, text)


def test_enrol_then_edit_keeps_history(care_ctx: Any, qtbot: QtBot) -> None:
    page = page_for(care_ctx, qtbot)
    assert "Not enrolled" in find(page, "Programme status").text()
    type_into(page, qtbot, {"Diseases": "Type 2 diabetes; Hypertension", "Assigned doctor": "Dr Nair",
                            "Target systolic below": "140", "Target diastolic below": "90",
                            "Target glucose minimum": "72", "Target glucose maximum": "126"})
    find(page, "Glucose target unit").setCurrentText("mg/dL")
    find(page, "Monitoring frequency in days").setValue(14)
    click(page, "Enrol or save enrolment", care_ctx, qtbot)
    e = care_ctx.services.chronic.enrolment_for(PATIENT)
    assert e.diseases == ["Type 2 diabetes", "Hypertension"] and e.frequency_days == 14
    assert round(e.target_glucose_min, 1) == 4.0 and round(e.target_glucose_max, 1) == 7.0
    assert "Enrolled" in find(page, "Programme status").text()
    find(page, "Monitoring frequency in days").setValue(7)
    click(page, "Enrol or save enrolment", care_ctx, qtbot)
    history = care_ctx.services.chronic.enrolment_history(e.id)
    assert [v.record.frequency_days for v in history] == [14, 7]


def test_enrolment_without_disease_refused(care_ctx: Any, qtbot: QtBot) -> None:
    page = page_for(care_ctx, qtbot)
    click(page, "Enrol or save enrolment", care_ctx, qtbot)
    assert "at least one disease" in find(page, "Enrolment message").text()
    assert care_ctx.services.chronic.enrolment_for(PATIENT) is None


def test_reading_in_mg_dl_stored_as_mmol_and_flagged_off_target(care_ctx: Any, qtbot: QtBot) -> None:
    care_ctx.services.chronic.enrol(Enrolment(
        patient_id=PATIENT, diseases=["Diabetes"], frequency_days=7, enrolled_on=date.today(),
        target_systolic_max=140, target_glucose_min=4.0, target_glucose_max=7.0))
    page = page_for(care_ctx, qtbot)
    type_into(page, qtbot, {"Glucose": "180", "Reading systolic": "150", "Reading diastolic": "85"})
    find(page, "Glucose unit").setCurrentText("mg/dL")
    click(page, "Add reading", care_ctx, qtbot)
    [r] = care_ctx.services.chronic.readings_for(PATIENT)
    assert round(r.glucose_mmol_l, 2) == 9.99
    msg = find(page, "Reading message").text()
    assert msg.startswith("Saved; off target:") and "systolic 150 ≥ target 140" in msg
    table = find(page, "Chronic readings").model()
    assert table.cell(0, 1) == "10.0 mmol/L" and "glucose 9.99 above target 7" in table.cell(0, 5)
    find(page, "Show glucose in").setCurrentText("mg/dL")
    assert find(page, "Chronic readings").model().cell(0, 1) == "180.0 mg/dL"
    chart = find(page, "Glucose trend")
    assert round(float(chart.series("glucose")[1][0])) == 180
    lo, hi = chart.band("glucose")
    assert round(lo) == 72 and round(hi) == 126
    assert find(page, "Blood pressure trend").band("systolic")[1] == 140


def test_reading_with_half_a_blood_pressure_refused(care_ctx: Any, qtbot: QtBot) -> None:
    page = page_for(care_ctx, qtbot)
    type_into(page, qtbot, {"Reading systolic": "130"})
    click(page, "Add reading", care_ctx, qtbot)
    assert "both systolic and diastolic" in find(page, "Reading message").text()
    assert care_ctx.services.chronic.readings_for(PATIENT) == []


def test_overdue_dialog_lists_late_patients_and_opens_them(care_ctx: Any, qtbot: QtBot) -> None:
    today = date(2026, 11, 25)
    svc = care_ctx.services.chronic
    svc.enrol(Enrolment(patient_id=PATIENT, diseases=["COPD"], frequency_days=7, enrolled_on=date(2026, 10, 1)))
    svc.enrol(Enrolment(patient_id=OTHER, diseases=["COPD"], frequency_days=7, enrolled_on=date(2026, 10, 1)))
    svc.add_reading(ChronicReading(patient_id=OTHER, at=datetime(2026, 11, 24, tzinfo=UTC), weight_kg=70))
    dialog = OverdueDialog(care_ctx, today=today)
    qtbot.addWidget(dialog)
    drain(care_ctx, qtbot)
    model = find(dialog, "Overdue patients").model()
    assert model.rowCount() == 1 and model.cell(0, 0) == PATIENT and model.cell(0, 4) == "48"
    assert find(dialog, "Overdue summary").text() == "1 patients overdue on 2026-11-25"
    find(dialog, "Overdue patients").activated.emit(model.index(0, 0))
    assert care_ctx.current_patient.patient_id == PATIENT


def test_enrolment_history_dialog(care_ctx: Any, qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QApplication

    e = care_ctx.services.chronic.enrol(Enrolment(patient_id=PATIENT, diseases=["COPD"],
                                                  frequency_days=7, enrolled_on=date(2026, 10, 1)))
    care_ctx.services.chronic.update_enrolment(e.model_copy(update={"frequency_days": 14}))
    page = page_for(care_ctx, qtbot)
    click(page, "Enrolment history", care_ctx, qtbot)
    [dialog] = [w for w in QApplication.topLevelWidgets()
                if w.accessibleName() == f"History of enrolment {e.id}" and w.isVisible()]
    rows = find(dialog, "Versions")
    assert rows.rowCount() == 2 and "7 → 14" in rows.item(1, 3).text()
    dialog.close()
