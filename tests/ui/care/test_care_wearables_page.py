"""Wearables page and CSV import through the widgets: mapping preview, all-or-nothing import,
trend per period, only the current patient's readings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from hms_desktop.domain.wearables import WearableReading
from hms_desktop.ui.care.wearable_import import WearableImportDialog
from hms_desktop.ui.care.wearables_page import WearablesPage
from tests.ui.care.conftest import OTHER, PATIENT, drain, find

TODAY = datetime.now(UTC).date()


def seed(ctx: Any) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    ctx.services.wearables.append(
        [WearableReading(at=now - timedelta(days=d), patient_id=PATIENT, device_id="ring-1",
                         heart_rate=60 + d, steps=100 * d) for d in range(0, 60, 5)]
        + [WearableReading(at=now, patient_id=OTHER, heart_rate=140)])


def test_page_shows_period_and_field(care_ctx: Any, qtbot: QtBot) -> None:
    seed(care_ctx)
    page = WearablesPage(care_ctx, today=TODAY)
    qtbot.addWidget(page)
    care_ctx.current_patient.select(PATIENT)
    drain(care_ctx, qtbot)
    # Last 30 days: d = 0, 5, ..., 25 -> 6 readings (the other patient's are not here).
    assert find(page, "Wearables status").text() == "6 readings"
    assert sorted(find(page, "Wearable trend").series("wearable")[1]) == [60, 65, 70, 75, 80, 85]
    table = find(page, "Wearable readings").model()
    assert table.rowCount() == 6 and table.cell(0, 1) == "ring-1" and table.cell(0, 2) == "60"
    find(page, "Period").setCurrentText("Last 90 days")
    drain(care_ctx, qtbot)
    assert find(page, "Wearables status").text() == "12 readings"
    find(page, "Reading shown").setCurrentText("Steps")
    assert max(find(page, "Wearable trend").series("wearable")[1]) == 5500
    care_ctx.current_patient.select("PAT000050")
    drain(care_ctx, qtbot)
    assert find(page, "Wearables status").text() == "No wearable readings in this period."


def _dialog(ctx: Any, qtbot: QtBot, path: Path) -> WearableImportDialog:
    dialog = WearableImportDialog(ctx, PATIENT)
    qtbot.addWidget(dialog)
    dialog.choose_file = lambda: path
    qtbot.mouseClick(find(dialog, "Choose CSV file"), Qt.MouseButton.LeftButton)
    drain(ctx, qtbot)
    return dialog


def test_import_with_guessed_mapping_and_preview(care_ctx: Any, qtbot: QtBot, tmp_path: Path) -> None:
    csv = tmp_path / "watch.csv"
    day = TODAY.isoformat()
    csv.write_text(f"Date,Pulse (bpm),Oxygen saturation,Source\n{day}T08:00:00Z,71,97,Watch A\n"
                   f"{day}T09:00:00Z,74,96,Watch A\n", encoding="utf-8")
    dialog = _dialog(care_ctx, qtbot, csv)
    assert find(dialog, "Column for Time").currentText() == "1: Date"
    assert find(dialog, "Column for Heart rate").currentText() == "2: Pulse (bpm)"
    assert find(dialog, "Column for SpO2").currentText() == "3: Oxygen saturation"
    assert find(dialog, "Column for Device").currentText() == "4: Source"
    preview = find(dialog, "Import preview").model()
    assert preview.rowCount() == 2 and preview.cell(0, 2) == "71" and preview.cell(0, 1) == "Watch A"
    # The user un-maps SpO2: the preview follows, and the import leaves SpO2 empty.
    find(dialog, "Column for SpO2").setCurrentIndex(0)
    assert preview.cell(0, 3) == ""
    qtbot.mouseClick(find(dialog, "Import readings"), Qt.MouseButton.LeftButton)
    drain(care_ctx, qtbot)
    assert find(dialog, "Import message").text() == "Imported 2 readings."
    got = care_ctx.services.wearables.readings_for(PATIENT, TODAY, TODAY)
    assert [(r.heart_rate, r.spo2, r.device_id) for r in got] == [(71, None, "Watch A"), (74, None, "Watch A")]


def test_import_with_bad_line_imports_nothing(care_ctx: Any, qtbot: QtBot, tmp_path: Path) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text("time,hr\n2026-11-25T08:00:00Z,71\nnot a time,72\n", encoding="utf-8")
    dialog = _dialog(care_ctx, qtbot, csv)
    qtbot.mouseClick(find(dialog, "Import readings"), Qt.MouseButton.LeftButton)
    drain(care_ctx, qtbot)
    assert "Nothing imported: 1 problems" in find(dialog, "Import message").text()
    errors = find(dialog, "Import errors")
    assert errors.count() == 1 and errors.item(0).text().startswith("line 3:")
    assert care_ctx.services.wearables.readings_for(PATIENT, date(2026, 11, 25), date(2026, 11, 25)) == []


def test_unreadable_file_reported(care_ctx: Any, qtbot: QtBot, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    dialog = _dialog(care_ctx, qtbot, empty)
    assert "the file is empty" in find(dialog, "Import message").text()
    assert not find(dialog, "Import readings").isEnabled()


def test_page_on_a_folder_without_wearable_files(care_ctx: Any, qtbot: QtBot) -> None:
    failures: list[str] = []
    care_ctx.sig_failure_reported.connect(lambda what, why: failures.append(f"{what}: {why}"))
    page = WearablesPage(care_ctx, today=TODAY)
    qtbot.addWidget(page)
    care_ctx.current_patient.select(PATIENT)
    drain(care_ctx, qtbot)
    assert find(page, "Wearables status").text() == "No wearable readings in this period."
    assert failures == []
