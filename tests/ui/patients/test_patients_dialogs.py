"""Picker, history, merge and status dialogs, driven by keyboard and accessible names."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableWidget,
)

from hms_desktop.domain.patient import Patient, PatientStatus
from hms_desktop.storage import TableSpec
from hms_desktop.ui.context import AppContext
from hms_desktop.ui.patients.history import PatientHistoryDialog
from hms_desktop.ui.patients.merge import PatientMergeDialog
from hms_desktop.ui.patients.picker import PatientPicker
from hms_desktop.ui.patients.status import PatientStatusDialog
from tests.ui.patients.helpers import find, show_active, type_text


class Visit(BaseModel):
    id: str = ""
    patient_id: str
    reason: str


VISITS = TableSpec(name="test_patient_visits", model=Visit, id_prefix="VIS")


def register(ctx: AppContext, given: str, family: str, born: date, **kw: object) -> str:
    return ctx.services.patients.register_many(
        [Patient(given_name=given, family_name=family, date_of_birth=born, **kw)])[0].id


def test_picker_searches_as_you_type_and_emits_the_chosen_id(ctx: AppContext, qtbot) -> None:  # noqa: ANN001
    a = register(ctx, "Zoë", "Núñez", date(1984, 3, 7))
    b = register(ctx, "Zoe", "Adams", date(1990, 1, 1))
    picker = PatientPicker(ctx)
    show_active(qtbot, picker)
    edit = find(picker, "Patient picker search", QLineEdit)
    edit.setFocus()
    type_text(qtbot, edit, "zoe")
    qtbot.waitUntil(lambda: picker.results() == [a, b], timeout=3000)
    popup = picker.completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=3000)
    assert popup.accessibleName() == "Patient picker results"
    qtbot.keyClick(popup, Qt.Key.Key_Down)  # the first match starts highlighted
    assert popup.currentIndex().row() == 1
    with qtbot.waitSignal(picker.sig_patient_chosen) as chosen:
        qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert chosen.args == [b] and picker.chosen_id == b
    type_text(qtbot, edit, "nunez")
    qtbot.waitUntil(lambda: picker.results() == [a], timeout=3000)
    popup.hide()
    with qtbot.waitSignal(picker.sig_patient_chosen) as chosen:
        qtbot.keyClick(edit, Qt.Key.Key_Return)  # a single match: Enter takes it
    assert chosen.args == [a]


def test_history_lists_every_version_with_who_and_what(ctx: AppContext, qtbot) -> None:  # noqa: ANN001
    pid = register(ctx, "Ana", "Peña", date(1990, 5, 1))
    ctx.services.patients.update(pid, {"family_name": "Peña López", "email": "ana@example.com"})
    dialog = PatientHistoryDialog(ctx, pid)
    show_active(qtbot, dialog)
    table = find(dialog, "Versions", QTableWidget)
    qtbot.waitUntil(lambda: table.rowCount() > 0, timeout=3000)
    rows = [tuple(table.item(r, c).text() for c in range(table.columnCount())) for r in range(table.rowCount())]
    changed = {(r[0], r[2], r[3], r[4], r[5]) for r in rows}
    assert ("2", "tester", "family_name", "Peña", "Peña López") in changed
    assert ("2", "tester", "email", "", "ana@example.com") in changed
    assert any(r[0] == "1" and r[3] == "given_name" and r[5] == "Ana" for r in rows)
    assert find(dialog, "History summary", QLabel).text() == "2 version(s)"


def test_merge_shows_a_preview_then_moves_everything(ctx: AppContext, qtbot) -> None:  # noqa: ANN001
    visits = ctx.store.table(VISITS)
    keep = register(ctx, "Zoë", "Núñez", date(1984, 3, 7), phone="+447911123456")
    gone = register(ctx, "Zoe", "Nunez", date(1984, 7, 3), email="zn@example.com")
    visits.insert_many([Visit(patient_id=gone, reason="cough"), Visit(patient_id=gone, reason="rash")])
    dialog = PatientMergeDialog(ctx, keep)
    show_active(qtbot, dialog)
    merge_button = find(dialog, "Merge")
    assert not merge_button.isEnabled()
    picker = find(dialog, "Duplicate record")
    find(picker, "Duplicate record search", QLineEdit).setFocus()
    type_text(qtbot, find(picker, "Duplicate record search", QLineEdit), "nunez")
    qtbot.waitUntil(lambda: picker.results() == [gone], timeout=3000)  # the survivor is not offered
    picker.completer.popup().hide()
    qtbot.keyClick(find(picker, "Duplicate record search", QLineEdit), Qt.Key.Key_Return)
    qtbot.keyClick(find(picker, "Duplicate record search", QLineEdit), Qt.Key.Key_Return)  # again
    ctx.writer.submit(lambda: None).result()  # a merge queued by Enter would have run by now
    QApplication.processEvents()  # and its completion reached the dialog
    assert dialog.isVisible() and ctx.services.patients.get(gone).merged_into in ("", None)  # Enter never merges
    text = find(dialog, "Merge preview", QPlainTextEdit).toPlainText()
    assert f"{gone} Zoe Nunez" in text and "email: (empty) → zn@example.com" in text
    assert "test_patient_visits: 2" in text
    assert len(visits.where("patient_id", gone)) == 2  # preview only
    with qtbot.waitSignal(dialog.sig_patients_merged, timeout=5000) as merged:
        qtbot.mouseClick(merge_button, Qt.MouseButton.LeftButton)
    assert merged.args == [keep]
    assert len(visits.where("patient_id", keep)) == 2
    assert ctx.services.patients.get(gone).merged_into == keep
    assert ctx.services.patients.get(keep).email == "zn@example.com"


def test_status_dialog_marks_deceased_with_a_date_and_refuses_without(
        ctx: AppContext, qtbot) -> None:  # noqa: ANN001
    pid = register(ctx, "Old", "Timer", date(1930, 1, 1))
    dialog = PatientStatusDialog(ctx, pid)
    show_active(qtbot, dialog)
    choice = find(dialog, "Status", QComboBox)
    died = find(dialog, "Date of death", QLineEdit)
    assert not died.isEnabled()
    choice.setCurrentIndex(choice.findData("deceased"))
    assert died.isEnabled()
    qtbot.mouseClick(find(dialog, "Save status"), Qt.MouseButton.LeftButton)
    assert "Date of death is required" in find(dialog, "Status message", QLabel).text()
    ctx.writer.drain()
    assert ctx.services.patients.get(pid).status is PatientStatus.ACTIVE
    type_text(qtbot, died, "02/01/2026")
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        qtbot.mouseClick(find(dialog, "Save status"), Qt.MouseButton.LeftButton)
    saved = ctx.services.patients.get(pid)
    assert saved.status is PatientStatus.DECEASED and saved.deceased_on == date(2026, 1, 2)
