"""The Observations page through its real widgets: save, refuse, warn, NEWS2, scale 2, ranges."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from hms_desktop.ui.care import create_observations_page
from hms_desktop.ui.care.ranges_dialog import RangesDialog
from tests.ui.care.conftest import OTHER, PATIENT, drain, find, open_page

NORMAL = {"Respiration rate": "16", "SpO2": "97", "Systolic BP": "120", "Diastolic BP": "80",
          "Pulse": "70", "Temperature": "37.0"}


def page_for(ctx: Any, qtbot: QtBot) -> Any:
    return open_page(create_observations_page, ctx, qtbot)


def fill(page: Any, qtbot: QtBot, values: dict[str, str], oxygen: str = "air",
         consciousness: str = "alert") -> None:
    for name, text in values.items():
        field = find(page, name)
        field.clear()
        qtbot.keyClicks(field, text)
    find(page, "Air or oxygen").setCurrentText(oxygen)
    find(page, "Consciousness").setCurrentText(consciousness)


def save(page: Any, ctx: Any, qtbot: QtBot) -> None:
    qtbot.mouseClick(find(page, "Save observations"), Qt.MouseButton.LeftButton)
    drain(ctx, qtbot)


def test_complete_set_saved_with_news2_shown(care_ctx: Any, qtbot: QtBot) -> None:
    page = page_for(care_ctx, qtbot)
    fill(page, qtbot, {**NORMAL, "Respiration rate": "22", "Pulse": "115"})
    save(page, care_ctx, qtbot)
    assert find(page, "Observations message").text() == (
        "Saved with warnings: Respiration rate 22 /min is above the range (20 /min); "
        "Pulse 115 /min is above the range (90 /min)")
    sets = care_ctx.services.observations.list_for(PATIENT)
    assert len(sets) == 1 and sets[0].pulse == 115 and sets[0].recorded_by == "nurse.test"
    assert find(page, "NEWS2 aggregate").text() == "4"
    assert find(page, "Respiration rate sub-score").text() == "2"
    assert find(page, "Pulse sub-score").text() == "2"
    assert find(page, "NEWS2 risk").text().startswith("Risk: low")
    assert "registered nurse assesses" in find(page, "NEWS2 response").text()
    table = find(page, "Observation sets")
    assert table.model().rowCount() == 1 and table.model().cell(0, 10) == "4 (scale 1)"
    assert list(find(page, "NEWS2 trend").series("news2")[1]) == [4.0]
    assert find(page, "Pulse").text() == ""  # form cleared for the next set


def test_impossible_value_refused_and_nothing_written(care_ctx: Any, qtbot: QtBot) -> None:
    page = page_for(care_ctx, qtbot)
    fill(page, qtbot, {**NORMAL, "Pulse": "400"})
    save(page, care_ctx, qtbot)
    text = find(page, "Observations message").text()
    assert text.startswith("Not saved.") and "Pulse 400 /min is impossible (allowed 20–300 /min)" in text
    assert care_ctx.services.observations.list_for(PATIENT) == []
    assert find(page, "Pulse").text() == "400"  # the user's typing is kept to correct


def test_typo_names_the_field(care_ctx: Any, qtbot: QtBot) -> None:
    page = page_for(care_ctx, qtbot)
    fill(page, qtbot, {**NORMAL, "Temperature": "37,2x"})
    save(page, care_ctx, qtbot)
    assert "Temperature: '37,2x' is not a number" in find(page, "Observations message").text()
    assert care_ctx.services.observations.list_for(PATIENT) == []


def test_partial_set_saved_without_news2(care_ctx: Any, qtbot: QtBot) -> None:
    page = page_for(care_ctx, qtbot)
    fill(page, qtbot, {"Pulse": "72"}, oxygen="not recorded", consciousness="not recorded")
    save(page, care_ctx, qtbot)
    assert find(page, "Observations message").text() == "Saved."
    assert find(page, "NEWS2 aggregate").text() == "—"
    assert find(page, "Observation sets").model().cell(0, 10) == "incomplete"


def test_scale2_needs_reason_then_changes_score(care_ctx: Any, qtbot: QtBot) -> None:
    page = page_for(care_ctx, qtbot)
    fill(page, qtbot, NORMAL, oxygen="oxygen")
    save(page, care_ctx, qtbot)
    assert find(page, "NEWS2 aggregate").text() == "2"
    box = find(page, "Use SpO2 scale 2")
    box.setChecked(True)
    assert not box.isChecked() and "reason" in find(page, "Observations message").text()
    qtbot.keyClicks(find(page, "Reason for SpO2 scale 2"), "COPD, ABG confirmed")
    box.setChecked(True)
    drain(care_ctx, qtbot)
    assert care_ctx.services.observations.is_scale2(PATIENT)
    # The live score follows the patient's scale: SpO2 97 on oxygen scores 3 on scale 2.
    assert find(page, "NEWS2 aggregate").text() == "5"
    assert find(page, "NEWS2 SpO2 scale").text() == "SpO2 scale 2"
    care_ctx.current_patient.select(OTHER)
    assert not find(page, "Use SpO2 scale 2").isChecked()
    assert find(page, "Observation sets").model().rowCount() == 0


def test_ranges_dialog_edits_the_table_and_refuses_impossible(care_ctx: Any, qtbot: QtBot) -> None:
    dialog = RangesDialog(care_ctx)
    qtbot.addWidget(dialog)
    high = find(dialog, "Pulse high")
    high.setText("400")
    dialog.save()
    assert "outside the physiological limits" in find(dialog, "Clinical ranges message").text()
    assert next(r for r in care_ctx.services.observations.ranges() if r.id == "pulse").high == 90
    high.setText("120")
    dialog.save()
    drain(care_ctx, qtbot)
    assert next(r for r in care_ctx.services.observations.ranges() if r.id == "pulse").high == 120


def test_hand_edited_impossible_row_is_reported_not_hiding_the_rest(data_dir: Any, qtbot: QtBot,
                                                                    qapp: Any) -> None:
    import csv
    from datetime import UTC, datetime

    from hms_desktop.domain.observations import Observation
    from hms_desktop.services.container import build_services
    from hms_desktop.storage import Store
    from tests.ui.care.conftest import make_context

    store = Store(data_dir)
    svc = build_services(store).observations
    for minute in (0, 1):
        svc.record(Observation(patient_id=PATIENT, at=datetime(2026, 11, 25, 8, minute, tzinfo=UTC),
                               pulse=70 + minute))
    store.close()
    path = data_dir / "observations.csv"
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    col = rows[0].index("pulse")
    rows[2][col] = "400"  # someone "fixed" a value in a spreadsheet
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    with make_context(data_dir) as ctx:
        page = page_for(ctx, qtbot)
        assert find(page, "Observation sets").model().rowCount() == 1
        notice = find(page, "Observations: unreadable rows")
        assert not notice.isHidden()
        assert "OBS000002" in notice.text() and "Pulse 400 /min is impossible" in notice.text()


def test_a_long_list_shows_newest_first_with_high_scores_marked(care_ctx: Any, qtbot: QtBot) -> None:
    from datetime import UTC, datetime, timedelta

    from hms_desktop.domain.news2 import Consciousness
    from hms_desktop.domain.observations import Observation

    start = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
    sets = [Observation(patient_id=PATIENT, at=start + timedelta(hours=k), respiration_rate=16,
                        spo2=97, on_oxygen=False, systolic=120, consciousness=Consciousness.ALERT,
                        pulse=140 if k % 10 == 0 else 70,  # 3 points, + 22/min below: 5
                        temperature=37.0) if k % 7 else
            Observation(patient_id=PATIENT, at=start + timedelta(hours=k), pulse=70)  # incomplete
            for k in range(150)]
    for k in range(0, 150, 10):
        sets[k] = sets[k].model_copy(update={"respiration_rate": 22})
    care_ctx.services.observations.record_many(sets)
    page = page_for(care_ctx, qtbot)
    model = find(page, "Observation sets").model()
    assert model.rowCount() == 150
    newest = sets[-1]
    assert model.cell(0, 0) == newest.at.astimezone().strftime("%Y-%m-%d %H:%M")
    high = {row for row in range(150)
            if model.data(model.index(row, 0), Qt.ItemDataRole.BackgroundRole) is not None}
    assert high == {149 - k for k in range(0, 150, 10) if k % 7}
    assert model.cell(149 - 10, 10) == "5 (scale 1)" and model.cell(149 - 7, 10) == "incomplete"
    _, ys = find(page, "NEWS2 trend").series("news2")
    assert list(ys) == [float(s.news2().aggregate) for s in sets if s.news2() is not None]


def test_the_widest_values_fit_their_columns(care_ctx: Any, qtbot: QtBot) -> None:
    from datetime import UTC, datetime

    from hms_desktop.domain.news2 import Consciousness
    from hms_desktop.domain.observations import Observation

    care_ctx.services.observations.record(Observation(
        patient_id=PATIENT, at=datetime(2026, 1, 1, 8, 0, tzinfo=UTC), respiration_rate=80,
        spo2=100, on_oxygen=True, systolic=300, diastolic=200, pulse=300,
        consciousness=Consciousness.UNRESPONSIVE, temperature=44.95, glucose_mmol_l=59.95,
        weight_kg=499.95, recorded_by="nurse.test"))
    page = page_for(care_ctx, qtbot)
    table = find(page, "Observation sets")
    metrics = table.fontMetrics()
    for column in range(table.model().columnCount() - 1):  # the last column takes the rest
        text = table.model().cell(0, column)
        assert metrics.horizontalAdvance(text) < table.columnWidth(column), (column, text)
