"""Every record section through the real widgets: add, edit (history shows both versions),
mark inactive, and invalid input refused with its message and nothing written."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QTableView, QTextBrowser, QWidget

from hms_desktop.domain.record import SECTIONS, Section
from hms_desktop.storage.record import SECTION_TABLES
from hms_desktop.ui.record.tab import RecordTab
from tests.ui.record.conftest import PATIENT

# section: (valid values, one edit, (invalid field, invalid value), expected message)
CASES: dict[Section, tuple[dict[str, Any], dict[str, Any], tuple[str, Any], str]] = {
    Section.ALLERGIES: ({"substance": "Penicillin", "reaction": "rash", "severity": "severe"},
                        {"reaction": "hives"}, ("substance", "  "), "Substance: must not be empty"),
    Section.PROBLEMS: ({"condition": "Asthma", "chronic": True, "onset": date(2019, 4, 1)},
                       {"note": "well controlled\non inhalers"}, ("condition", ""), "Condition: must not be empty"),
    Section.MEDICATIONS: ({"name": "Metformin", "dose": "500", "unit": "mg", "frequency": "twice daily"},
                          {"dose": "1000"}, ("dose", "five hundred"), "Dose: must be a number"),
    Section.SURGERIES: ({"procedure": "Appendicectomy", "performed_on": date(2015, 3, 2)},
                        {"note": "laparoscopic"}, ("performed_on", date.today() + timedelta(days=3)),
                        "Date: a past surgery cannot be in the future"),
    Section.DIAGNOSES: ({"description": "Asthma", "icd10": "J45", "doctor": "Dr Okafor"},
                        {"icd10": "J45.9"}, ("icd10", "45J"), "ICD-10 code: expected a letter"),
    Section.NOTES: ({"author": "Dr Okafor", "text": "Reviewed inhaler technique."}, {},
                    ("text", "   "), "Note: must not be empty"),
    Section.VISITS: ({"doctor": "Dr Raman", "symptoms": "cough for 3 days"}, {"treatment": "rest, fluids"},
                     ("follow_up_required", True), "Next visit: required when Follow-up required is ticked"),
}


def find(parent: QWidget, kind: type, accessible: str) -> Any:
    found = [w for w in parent.findChildren(kind) if w.accessibleName() == accessible and w.isVisible()]
    assert len(found) == 1, f"{accessible!r}: {len(found)} visible {kind.__name__}"
    return found[0]


def save(qtbot: Any, dialog: QWidget) -> None:
    qtbot.mouseClick(find(dialog, QPushButton, "Save"), Qt.MouseButton.LeftButton)


def fill(dialog: Any, values: dict[str, Any]) -> None:
    for name, value in values.items():
        dialog.set_value(name, value)


def journal_bytes(ctx: Any, section: Section) -> bytes:
    path = ctx.store.data_dir / f"{SECTION_TABLES[section].name}.journal.csv" \
        if hasattr(ctx.store, "data_dir") else None
    return path.read_bytes() if path is not None and path.exists() else b""


@pytest.fixture
def tab(record_tab: RecordTab, record_ctx: Any) -> RecordTab:
    record_ctx.current_patient.select(PATIENT)
    return record_tab


@pytest.mark.parametrize("section", list(CASES), ids=[s.value for s in CASES])
def test_section_add_edit_history_inactive(qtbot: Any, tab: RecordTab, record_ctx: Any, section: Section) -> None:
    valid, edit, (bad_field, bad_value), message = CASES[section]
    info = SECTIONS[section]
    page = tab.show_page(info.title)
    record = record_ctx.services.record

    # invalid input: refused with a message naming the field, dialog stays open, nothing written
    qtbot.mouseClick(find(page, QPushButton, f"Add {info.title.lower()} entry"), Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible()
    before = journal_bytes(record_ctx, section)
    fill(dialog, {**valid, bad_field: bad_value})
    save(qtbot, dialog)
    error = find(dialog, QLabel, "Form error")
    assert message in error.text()
    assert dialog.isVisible()
    record_ctx.writer.drain()
    assert record.entries(section, PATIENT) == []
    assert journal_bytes(record_ctx, section) == before

    # fixed: saved, listed
    fill(dialog, valid)
    if section == Section.VISITS:
        dialog.set_value("follow_up_required", False)
    save(qtbot, dialog)
    table = find(page, QTableView, f"{info.title} list")
    qtbot.waitUntil(lambda: table.model().rowCount() == 1)
    saved = record.entries(section, PATIENT)[0]
    assert saved.id.startswith(info.id_prefix)
    table.selectRow(0)
    detail = find(page, QTextBrowser, f"{info.title} entry detail").toPlainText()
    for value in valid.values():
        if isinstance(value, str) and value.strip():
            assert value in detail, value

    if section != Section.NOTES:  # notes are amended, not edited (test_record_notes.py)
        table.selectRow(0)
        qtbot.mouseClick(find(page, QPushButton, "Edit selected entry"), Qt.MouseButton.LeftButton)
        fill(page.dialog, edit)
        save(qtbot, page.dialog)
        qtbot.waitUntil(lambda: len(record.history(section, saved.id)) == 2)
        record_ctx.writer.drain()  # the journal is written before memory: wait for the save to finish
        table.selectRow(0)
        qtbot.mouseClick(find(page, QPushButton, "History of selected entry"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.history_dialog is not None and page.history_dialog.isVisible())
        versions = page.history_dialog.table
        assert versions.rowCount() == 2
        assert versions.item(0, 2).text() == "dr.test"
        field, value = next(iter(edit.items()))
        title = type(saved).model_fields[field].title
        assert versions.item(1, 3).text().startswith(f"{title}: ")
        assert str(value).splitlines()[0] in versions.item(1, 3).text()
        page.history_dialog.close()

    # mark inactive: kept, greyed, listed only while "Show inactive" is ticked
    table.selectRow(0)
    qtbot.mouseClick(find(page, QPushButton, "Mark selected entry inactive"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: str(record.get(section, saved.id).status) == info.inactive_status)
    qtbot.waitUntil(lambda: table.model().rowCount() == 1
                    and table.model().data(table.model().index(0, 0), Qt.ItemDataRole.ForegroundRole) is not None)
    table.selectRow(0)
    assert not find(page, QPushButton, "Mark selected entry inactive").isEnabled()
    find(page, QWidget, "Show inactive entries").setChecked(False)
    assert table.model().rowCount() == 0
    assert record.get(section, saved.id) is not None  # never deleted


def test_editing_one_field_changes_only_that_field(qtbot: Any, tab: RecordTab, record_ctx: Any) -> None:
    """The time editor shows minutes; an untouched visit time must not become a silent change."""
    from datetime import UTC, datetime

    from hms_desktop.domain.record import Visit

    record = record_ctx.services.record
    visit = record.add(Section.VISITS, Visit(patient_id=PATIENT, doctor="Dr Raman",
                                             at=datetime(2026, 3, 1, 10, 15, 42, 123000, tzinfo=UTC)))
    page = tab.show_page("Visit log")
    find(page, QTableView, "Visit log list").selectRow(0)
    qtbot.mouseClick(find(page, QPushButton, "Edit selected entry"), Qt.MouseButton.LeftButton)
    page.dialog.set_value("treatment", "rest")
    save(qtbot, page.dialog)
    qtbot.waitUntil(lambda: record.get(Section.VISITS, visit.id).treatment == "rest")
    assert record.get(Section.VISITS, visit.id).at == visit.at
    assert len(record.history(Section.VISITS, visit.id)) == 2


def test_keyboard_only_add(qtbot: Any, tab: RecordTab, record_ctx: Any) -> None:
    """Space on the focused Add button, type into the first field, Enter saves."""
    page = tab.show_page("Allergies")
    add = find(page, QPushButton, "Add allergies entry")
    add.setFocus()
    qtbot.keyClick(add, Qt.Key.Key_Space)
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible()
    substance = dialog.input("substance")
    substance.setFocus()
    qtbot.keyClicks(substance, "Penicillin")
    qtbot.keyClick(substance, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.focusWidget(), "hives")  # Tab moved to Reaction
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
    # Severity is never pre-filled: Enter is refused, naming the field, until it is chosen.
    assert dialog.isVisible()
    assert "Severity: must be chosen" in find(dialog, QLabel, "Form error").text()
    severity = dialog.input("severity")
    assert severity.currentText() == "" and severity.accessibleName() == "Severity"
    severity.setFocus()
    qtbot.keyClicks(severity, "sev")  # type-ahead in the list: "severe"
    qtbot.keyClick(severity, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(record_ctx.services.record.entries(Section.ALLERGIES, PATIENT)) == 1)
    saved = record_ctx.services.record.entries(Section.ALLERGIES, PATIENT)[0]
    assert (saved.substance, saved.reaction, saved.severity.value) == ("Penicillin", "hives", "severe")


def test_a_time_skipped_by_the_clock_change_is_refused(qtbot: Any, tab: RecordTab, record_ctx: Any) -> None:
    from PySide6.QtCore import QDate, QDateTime, QTime

    page = tab.show_page("Visit log")
    dialog = page.add_entry()
    dialog.set_value("doctor", "Dr Raman")
    dialog.input("at").setDateTime(QDateTime(QDate(2026, 3, 29), QTime(1, 30)))  # London skips 01:00-02:00
    save(qtbot, dialog)
    assert "Visit date: 2026-03-29 01:30 does not exist in Europe/London" in find(dialog, QLabel, "Form error").text()
    record_ctx.writer.drain()
    assert record_ctx.services.record.entries(Section.VISITS, PATIENT) == []
