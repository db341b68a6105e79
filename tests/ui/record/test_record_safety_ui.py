"""The Record tab's safety checks through the real widgets: the drug-allergy warning and its
override, "not checked" said out loud, note history numbered as one chain, and the live length
message of a too-long field."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton, QTableWidget

from hms_desktop.domain.record import Allergy, Section
from hms_desktop.storage import Store
from hms_desktop.storage.record import CLINICAL_NOTES
from hms_desktop.ui.record.tab import RecordTab
from tests.ui.record.conftest import PATIENT
from tests.ui.record.test_record_sections import fill, find, save


@pytest.fixture
def tab(record_tab: RecordTab, record_ctx: Any) -> RecordTab:
    record_ctx.current_patient.select(PATIENT)
    return record_tab


def prescribe(qtbot: Any, tab: RecordTab, name: str) -> Any:
    page = tab.show_page("Medications")
    qtbot.mouseClick(find(page, QPushButton, "Add medications entry"), Qt.MouseButton.LeftButton)
    fill(page.dialog, {"name": name, "dose": "500", "unit": "mg", "frequency": "three times daily"})
    save(qtbot, page.dialog)
    return page


def test_amoxicillin_for_a_penicillin_allergy_warns_and_records_the_override(
        qtbot: Any, tab: RecordTab, record_ctx: Any) -> None:
    record = record_ctx.services.record
    record.add(Section.ALLERGIES, Allergy(patient_id=PATIENT, substance="Penicillin", reaction="anaphylaxis",
                                          severity="life-threatening", noted_on=date(2019, 5, 1)))
    page = tab.show_page("Medications")
    qtbot.mouseClick(find(page, QPushButton, "Add medications entry"), Qt.MouseButton.LeftButton)
    hint = find(page.dialog, QLabel, "Allergy check")
    qtbot.keyClicks(page.dialog.input("name"), "Amoxil")  # a brand: said as it is typed
    assert hint.text().startswith("ALLERGY WARNING for Amoxil") and "same class (penicillins)" in hint.text()
    page.dialog.reject()
    page = prescribe(qtbot, tab, "Amoxicillin")
    qtbot.waitUntil(lambda: page.warning is not None and page.warning.isVisible())
    warning = page.warning
    text = find(warning, QLabel, "Allergy warning text").text()
    assert "Penicillin allergy (life-threatening; anaphylaxis)" in text and "Amoxicillin" in text
    prescribe_anyway = find(warning, QPushButton, "Prescribe anyway")
    assert not prescribe_anyway.isEnabled()  # no reason, no override
    qtbot.keyClicks(find(warning, QPlainTextEdit, "Override reason"), "tolerated a full course in 2024")
    assert prescribe_anyway.isEnabled()
    qtbot.mouseClick(prescribe_anyway, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(record.entries(Section.MEDICATIONS, PATIENT)) == 1)
    qtbot.waitUntil(lambda: "despite the allergy warning" in find(page, QLabel, "Medications message").text())
    reopened = Store(record_ctx.store.data_dir)  # read-only second view of the folder, from disk
    try:
        notes = [n.text for n in reopened.table(CLINICAL_NOTES).where("patient_id", PATIENT)]
    finally:
        reopened.close()
    assert any("Reason: tolerated a full course in 2024" in n and "Penicillin" in n for n in notes)


def test_cancelling_the_warning_saves_nothing_and_says_so(qtbot: Any, tab: RecordTab, record_ctx: Any) -> None:
    record = record_ctx.services.record
    record.add(Section.ALLERGIES, Allergy(patient_id=PATIENT, substance="Aspirin", reaction="bronchospasm",
                                          severity="severe", noted_on=date(2019, 5, 1)))
    page = prescribe(qtbot, tab, "Nurofen")
    qtbot.waitUntil(lambda: page.warning is not None and page.warning.isVisible())
    qtbot.mouseClick(find(page.warning, QPushButton, "Do not prescribe"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Not prescribed" in find(page, QLabel, "Medications message").text())
    record_ctx.writer.drain()
    assert record.entries(Section.MEDICATIONS, PATIENT) == []


def test_unknown_allergy_status_and_unlisted_drugs_are_said(qtbot: Any, tab: RecordTab, record_ctx: Any) -> None:
    page = prescribe(qtbot, tab, "Amoxicillin")
    qtbot.waitUntil(lambda: "Allergy status not recorded" in find(page, QLabel, "Medications message").text())
    record_ctx.services.record.add(Section.ALLERGIES, Allergy(patient_id=PATIENT, substance="Latex",
                                                              severity="unknown", noted_on=date(2019, 5, 1)))
    page = prescribe(qtbot, tab, "Zzyzx elixir")
    qtbot.waitUntil(lambda: "not checked against allergies" in find(page, QLabel, "Medications message").text())


def test_note_history_numbers_the_original_and_its_amendments(qtbot: Any, tab: RecordTab, record_ctx: Any) -> None:
    page = tab.show_page("Clinical notes")
    qtbot.mouseClick(find(page, QPushButton, "Add clinical notes entry"), Qt.MouseButton.LeftButton)
    fill(page.dialog, {"author": "Dr Okafor", "text": "BP 150/90."})
    save(qtbot, page.dialog)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    page.view.selectRow(0)
    qtbot.mouseClick(find(page, QPushButton, "Amend selected note"), Qt.MouseButton.LeftButton)
    fill(page.dialog, {"text": "BP 150/90, repeat 138/84."})
    save(qtbot, page.dialog)
    qtbot.waitUntil(lambda: "Saved amendment" in page.message.text())
    page.view.selectRow(0)
    qtbot.mouseClick(find(page, QPushButton, "History of selected entry"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.history_dialog is not None and page.history_dialog.isVisible())
    table = page.history_dialog.findChild(QTableWidget, "history_table")
    assert [table.item(r, 0).text() for r in range(table.rowCount())] == ["1", "2"]
    assert "repeat 138/84" in table.item(1, 3).text()


def test_a_too_long_field_is_named_as_it_is_typed(qtbot: Any, tab: RecordTab) -> None:
    page = tab.show_page("Allergies")
    qtbot.mouseClick(find(page, QPushButton, "Add allergies entry"), Qt.MouseButton.LeftButton)
    page.dialog.set_value("substance", "P" * 201)
    message = find(page.dialog, QLabel, "Substance length message")
    assert message.text() == "Substance is too long: 201 characters, at most 200."
    page.dialog.set_value("substance", "P" * 200)
    assert not message.isVisible()
