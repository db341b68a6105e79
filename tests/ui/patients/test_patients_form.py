"""The registration form, driven like a user with qtbot, widgets found by accessible name."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QLabel, QLineEdit, QListWidget, QWidget

from hms_desktop.domain.patient import Patient
from hms_desktop.ui.context import AppContext
from hms_desktop.ui.patients import common
from hms_desktop.ui.patients.form import PatientFormDialog
from tests.ui.patients.helpers import find, show_active, type_text


def open_form(ctx: AppContext, qtbot, patient: Patient | None = None) -> PatientFormDialog:  # noqa: ANN001
    dialog = PatientFormDialog(ctx, patient)
    show_active(qtbot, dialog)
    return dialog


def type_into(qtbot, dialog: QWidget, name: str, text: str) -> None:  # noqa: ANN001
    type_text(qtbot, find(dialog, name, QLineEdit), text)


def fill_valid(qtbot, dialog: QWidget) -> None:  # noqa: ANN001
    type_into(qtbot, dialog, "Given name", "Zoë")
    type_into(qtbot, dialog, "Family name", "Núñez")
    type_into(qtbot, dialog, "Date of birth", "07/03/1984")
    type_into(qtbot, dialog, "Phone", "07911 123456")
    type_into(qtbot, dialog, "Email", "zoe@example.com")


def saved_rows(ctx: AppContext, data_dir: Path) -> list[dict[str, str]]:
    ctx.writer.submit(ctx.store.checkpoint).result()
    path = data_dir / "patients.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_valid_patient_saves_with_enter_and_lands_in_patients_csv(
        ctx: AppContext, qtbot, data_dir: Path) -> None:  # noqa: ANN001
    dialog = open_form(ctx, qtbot)
    fill_valid(qtbot, dialog)
    assert find(dialog, "Age", QLabel).text().startswith("age ")
    with qtbot.waitSignal(dialog.sig_patient_saved, timeout=5000) as saved:
        qtbot.keyClick(find(dialog, "Email", QLineEdit), Qt.Key.Key_Return)
    assert saved.args == ["PAT000001"]
    rows = saved_rows(ctx, data_dir)
    assert [(r["id"], r["given_name"], r["family_name"], r["date_of_birth"]) for r in rows] == [
        ("PAT000001", "Zoë", "Núñez", "1984-03-07")]
    assert rows[0]["phone"].lstrip("'") == "+447911123456"  # normalised (escaped for spreadsheets)
    assert "age" not in rows[0]


@pytest.mark.parametrize(("field", "text", "message"), [
    ("Given name", "", "is required"),
    ("Date of birth", "31/02/1990", "is not a date"),
    ("Date of birth", "01/01/2999", "is in the future"),
    ("Phone", "12345", "is not a valid number"),
    ("Email", "zoe@@example", "after the @-sign"),
    ("Emergency contact phone", "99", "valid"),
])
def test_each_invalid_field_shows_its_message_focuses_it_and_saves_nothing(
        ctx: AppContext, qtbot, data_dir: Path, field: str, text: str, message: str) -> None:  # noqa: ANN001
    dialog = open_form(ctx, qtbot)
    fill_valid(qtbot, dialog)
    type_into(qtbot, dialog, field, text)
    label = find(dialog, f"{field} message", QLabel)
    assert message in label.text()  # shown beside the field while typing
    qtbot.mouseClick(find(dialog, "Save patient"), Qt.MouseButton.LeftButton)
    assert QApplication.focusWidget() is find(dialog, field, QLineEdit)
    assert "Not saved" in find(dialog, "Form status", QLabel).text()
    ctx.writer.drain()
    assert len(ctx.services.patients.table) == 0
    assert saved_rows(ctx, data_dir) == []


def test_message_clears_when_the_field_is_fixed(ctx: AppContext, qtbot) -> None:  # noqa: ANN001
    dialog = open_form(ctx, qtbot)
    type_into(qtbot, dialog, "Phone", "0791")
    assert find(dialog, "Phone message", QLabel).text()
    type_into(qtbot, dialog, "Phone", "07911 123456")
    assert find(dialog, "Phone message", QLabel).text() == ""


def test_duplicate_warning_needs_a_choice_and_the_confirmation_is_saved(
        ctx: AppContext, qtbot) -> None:  # noqa: ANN001
    existing = ctx.services.patients.register(Patient(
        given_name="Zoe", family_name="Nunez", date_of_birth=date(1984, 7, 3), phone="+447400123456"))
    dialog = open_form(ctx, qtbot)
    fill_valid(qtbot, dialog)  # day and month swapped, accents differ
    dup_list = find(dialog, "Possible duplicates", QListWidget)
    qtbot.waitUntil(lambda: dup_list.count() == 1 and dup_list.isVisible(), timeout=3000)
    assert existing.id in dup_list.item(0).text()
    qtbot.mouseClick(find(dialog, "Save patient"), Qt.MouseButton.LeftButton)
    assert "confirm a new patient" in find(dialog, "Form status", QLabel).text()
    ctx.writer.drain()
    assert len(ctx.services.patients.table) == 1
    find(dialog, "Confirm new patient", QCheckBox).setChecked(True)
    with qtbot.waitSignal(dialog.sig_patient_saved, timeout=5000) as saved:
        qtbot.mouseClick(find(dialog, "Save patient"), Qt.MouseButton.LeftButton)
    assert ctx.services.patients.get(saved.args[0]).confirmed_not_duplicate_of == [existing.id]


def test_opening_the_existing_record_instead(ctx: AppContext, qtbot) -> None:  # noqa: ANN001
    existing = ctx.services.patients.register(Patient(
        given_name="Zoë", family_name="Núñez", date_of_birth=date(1984, 3, 7)))
    dialog = open_form(ctx, qtbot)
    fill_valid(qtbot, dialog)
    dup_list = find(dialog, "Possible duplicates", QListWidget)
    qtbot.waitUntil(lambda: dup_list.count() == 1, timeout=3000)
    with qtbot.waitSignal(dialog.sig_existing_chosen) as chosen:
        qtbot.mouseClick(find(dialog, "Open existing patient"), Qt.MouseButton.LeftButton)
    assert chosen.args == [existing.id]
    assert not dialog.isVisible()
    assert len(ctx.services.patients.table) == 1


def test_escape_asks_before_discarding_typed_work(
        ctx: AppContext, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    questions: list[str] = []
    answer = {"value": False}

    def fake_confirm(parent: QWidget, title: str, text: str) -> bool:
        questions.append(title)
        return answer["value"]

    monkeypatch.setattr(common, "confirm", fake_confirm)  # replaces the autouse "always yes"
    dialog = open_form(ctx, qtbot)
    type_into(qtbot, dialog, "Given name", "Ana")
    qtbot.keyClick(find(dialog, "Given name", QLineEdit), Qt.Key.Key_Escape)
    assert questions == ["Discard changes?"] and dialog.isVisible()
    answer["value"] = True
    qtbot.keyClick(find(dialog, "Given name", QLineEdit), Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    clean = open_form(ctx, qtbot)
    qtbot.keyClick(find(clean, "Given name", QLineEdit), Qt.Key.Key_Escape)
    assert not clean.isVisible() and len(questions) == 2  # nothing typed: no question


def test_editing_saves_a_new_version(ctx: AppContext, qtbot) -> None:  # noqa: ANN001
    patient = ctx.services.patients.register(Patient(
        given_name="Ana", family_name="Peña", date_of_birth=date(1990, 5, 1)))
    dialog = open_form(ctx, qtbot, patient)
    assert find(dialog, "Family name", QLineEdit).text() == "Peña"
    type_into(qtbot, dialog, "Family name", "Peña López")
    with qtbot.waitSignal(dialog.sig_patient_saved, timeout=5000):
        qtbot.mouseClick(find(dialog, "Save patient"), Qt.MouseButton.LeftButton)
    history = ctx.services.patients.history(patient.id)
    assert [(c.field, c.new) for c in history[-1].changes] == [("family_name", "Peña López")]


def test_every_input_is_named_and_tab_follows_the_form(ctx: AppContext, qtbot) -> None:  # noqa: ANN001
    dialog = open_form(ctx, qtbot)
    names = [w.accessibleName() for w in dialog.inputs.values()]
    assert all(names) and len(set(names)) == len(names)
    first = find(dialog, "Given name", QLineEdit)
    first.setFocus()
    order = [first]
    for _ in range(3):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget())
    assert [w.accessibleName() for w in order] == ["Given name", "Family name", "Date of birth", "Sex / gender"]


def test_ctrl_s_saves_from_a_combo_box(ctx: AppContext, qtbot) -> None:  # noqa: ANN001
    dialog = open_form(ctx, qtbot)
    fill_valid(qtbot, dialog)
    combo = dialog.inputs["blood_group"]
    combo.setFocus()
    with qtbot.waitSignal(dialog.sig_patient_saved, timeout=5000):
        qtbot.keyClick(combo, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)


def test_saving_over_someone_elses_newer_edit_is_refused_naming_them(ctx: AppContext, qtbot) -> None:  # noqa: ANN001
    patient = ctx.services.patients.register(Patient(
        given_name="Ana", family_name="Peña", date_of_birth=date(1990, 5, 1)))
    dialog = open_form(ctx, qtbot, patient)
    # Meanwhile another window (or workstation) saves a new e-mail address.
    ctx.services.patients.update(patient.id, {"email": "ana@example.com"})
    type_into(qtbot, dialog, "Family name", "Peña López")
    qtbot.mouseClick(find(dialog, "Save patient"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Not saved" in find(dialog, "Form status", QLabel).text(), timeout=5000)
    status = find(dialog, "Form status", QLabel).text()
    assert "changed by" in status and "not saved" in status
    saved = ctx.services.patients.get(patient.id)
    assert saved is not None and saved.family_name == "Peña" and saved.email == "ana@example.com"
