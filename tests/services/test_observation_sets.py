"""A long list of observation sets read column by column gives exactly what a model per set
gives: the same sets in the same order, the same NEWS2 aggregates, the same unreadable rows,
whatever a spreadsheet did to the file."""

from __future__ import annotations

import csv
import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hms_desktop.domain.news2 import Consciousness
from hms_desktop.domain.observations import Observation
from hms_desktop.services.care_rows import each_readable
from hms_desktop.services.container import build_services
from hms_desktop.services.observation_sets import COLUMNAR_FROM, from_models
from hms_desktop.storage import Store
from hms_desktop.storage.care import OBSERVATIONS

PATIENT = "PAT000001"
T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
SETS = 240


def _random_set(rng: random.Random, at: datetime) -> Observation:
    """Values across the whole allowed range, edges included; some sets incomplete."""
    def maybe(value: object) -> object:
        return None if rng.random() < 0.08 else value

    systolic = rng.choice([40, 90, 91, 100, 101, 110, 111, 219, 220, 300, rng.randint(40, 300)])
    return Observation.model_validate({
        "patient_id": PATIENT, "at": at,
        "respiration_rate": maybe(rng.choice([0, 8, 9, 11, 12, 20, 21, 24, 25, 80, rng.randint(0, 80)])),
        "spo2": maybe(rng.choice([0, 83, 84, 85, 86, 87, 88, 91, 92, 93, 94, 95, 96, 97, 100])),
        "on_oxygen": maybe(rng.random() < 0.4),
        "systolic": maybe(systolic),
        "diastolic": None if rng.random() < 0.3 else rng.randint(20, min(200, systolic - 1)),
        "pulse": maybe(rng.choice([20, 40, 41, 50, 51, 90, 91, 110, 111, 130, 131, 300])),
        "consciousness": maybe(rng.choice(list(Consciousness))),
        "temperature": maybe(rng.choice([25.0, 35.0, 35.05, 35.1, 36.0, 36.05, 38.0, 38.05, 39.0,
                                         39.1, 45.0, round(rng.uniform(25, 45), 2)])),
        "glucose_mmol_l": maybe(round(rng.uniform(0.5, 60), 1)),
        "weight_kg": maybe(round(rng.uniform(0.3, 500), 3)),
    })


# What a spreadsheet or a hand edit leaves in a cell: the columnar check must hand every one
# of these to the model, which accepts some (" 97", "yes") and refuses others.
ODD = {
    "pulse": ["400", "70.0", "٩٥", " 70", "+70", "-5", "7e1", "abc", "19", "0070"],
    "spo2": ["101", "95.5", "", "9 5"],
    "temperature": ["37,5", "nan", "inf", "1e1", " 37.5", "25", "45.01", "37."],
    "on_oxygen": ["yes", "TRUE", "1", "maybe"],
    "consciousness": ["ALERT", "Voice", "asleep"],
    "spo2_scale": ["3", "2", "", "1.0"],
    "at": ["2025-03-01T08:00:00+01:00", "2025-03-01 08:00:00+00:00", "2025-03-01T08:00:00",
           "2025-03-01T08:00:00Z", "yesterday"],
    "diastolic": ["300"],
}


def _fill(data_dir: Path, rng: random.Random) -> None:
    store = Store(data_dir)
    svc = build_services(store).observations
    svc.record_many([_random_set(rng, T0 + timedelta(hours=3 * i)) for i in range(SETS // 2)])
    svc.set_scale2(PATIENT, True, reason="hypercapnic failure (ABG)")
    svc.record_many([_random_set(rng, T0 + timedelta(hours=3 * i + 1)) for i in range(SETS // 2)])
    store.checkpoint()
    store.close()


def _hand_edit(data_dir: Path, rng: random.Random, edits: int) -> None:
    path = data_dir / "observations.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    for _ in range(edits):
        column = rng.choice(list(ODD))
        rows[rng.randrange(1, len(rows))][header.index(column)] = rng.choice(ODD[column])
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def test_columns_and_models_agree_on_every_set_after_hand_edits(data_dir: Path) -> None:
    rng = random.Random(18)
    _fill(data_dir, rng)
    _hand_edit(data_dir, rng, 60)
    store = Store(data_dir)
    try:
        svc = build_services(store).observations
        table = store.table(OBSERVATIONS)
        sets = svc.sets_for(PATIENT)
        # Cells of the wrong type for their column were quarantined when the file loaded.
        ids, _ = table.columns_where("patient_id", PATIENT, ())
        assert len(sets) + len(sets.unreadable) == len(ids) >= COLUMNAR_FROM
        found, bad = each_readable(table, ids)
        reference = from_models(found, bad)
        assert sets.ids == reference.ids  # same sets, same order (time, then as saved)
        assert sorted(u.record_id for u in sets.unreadable) == sorted(u.record_id for u in bad)
        assert {str(u) for u in sets.unreadable} == {str(u) for u in bad}  # the model's reasons
        assert len(bad) > 5 and len(found) > COLUMNAR_FROM  # both kinds were exercised
        for i, obs in enumerate(reference.sets):
            assert sets.model(i) == obs
            result = obs.news2()
            assert bool(sets.complete[i]) == (result is not None)
            assert _same(float(sets.aggregate[i]), float("nan") if result is None else result.aggregate), \
                f"{obs.id}: NEWS2 {sets.aggregate[i]} by columns, {result} by the model"
            assert sets.epoch[i] == obs.at.timestamp()
        assert sets.latest_complete == reference.latest_complete
        assert svc.list_for(PATIENT) == reference.sets
    finally:
        store.close()


def test_untouched_sets_are_scored_like_the_model_scores_them(data_dir: Path) -> None:
    _fill(data_dir, random.Random(5))
    store = Store(data_dir)
    try:
        sets = build_services(store).observations.sets_for(PATIENT)
        assert len(sets) == SETS and not sets.unreadable
        newest = sets.newest_first()
        for k, (obs, result) in enumerate(newest):
            i = len(sets) - 1 - k
            assert newest.ids()[k] == obs.id == sets.ids[i]
            assert _same(float(sets.aggregate[i]), float("nan") if result is None else result.aggregate)
        assert any(s.spo2_scale == 2 for s in sets.sets) and any(s.spo2_scale == 1 for s in sets.sets)
    finally:
        store.close()


def test_every_value_of_every_parameter_scores_as_the_model_scores_it(data_dir: Path) -> None:
    """Each whole value from the lowest to the highest allowed, on both SpO2 scales, on air
    and on oxygen: the column tables must match the domain's scoring at every step."""
    def sweep(start: int) -> list[Observation]:
        return [Observation(
            patient_id=PATIENT, at=T0 + timedelta(minutes=start + k), respiration_rate=k % 81,
            spo2=k % 101, on_oxygen=(k // 101) % 2 == 0, systolic=40 + k % 261, pulse=20 + k % 281,
            consciousness=list(Consciousness)[k % len(Consciousness)],
            temperature=25 + (k % 201) / 10) for k in range(404)]

    store = Store(data_dir)
    svc = build_services(store).observations
    svc.record_many(sweep(0))
    svc.set_scale2(PATIENT, True, reason="hypercapnic failure (ABG)")
    svc.record_many(sweep(1000))
    store.close()
    store = Store(data_dir)
    try:
        sets = build_services(store).observations.sets_for(PATIENT)
        assert len(sets) == 808 and bool(sets.complete.all())
        for i, obs in enumerate(sets.sets):
            result = obs.news2()
            assert result is not None and sets.aggregate[i] == result.aggregate, obs
    finally:
        store.close()


def test_whole_column_checks_agree_with_the_cell_by_cell_checks() -> None:
    """The one-pass checks of a column in the written form give exactly what checking each
    cell gives, for well-formed columns and for columns with one odd cell."""
    from hms_desktop.services import observation_sets as sets

    rng = random.Random(8)
    times = [(datetime(2015, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randint(0, 10**9),
                                                          microseconds=rng.choice([0, rng.randint(1, 999_999)]))).isoformat()
             for _ in range(2000)]
    epoch, ok = sets._times(times)
    assert ok.all() and epoch.tolist() == [datetime.fromisoformat(t).timestamp() for t in times]
    for odd in ("0000-01-01T00:00:00+00:00", "2024-02-30T10:00:00+00:00", "2024-01-01T10:00:00Z"):
        epoch, ok = sets._times([*times[:5], odd])
        assert ok.tolist() == [True] * 5 + [False] and epoch[:5].tolist() == [datetime.fromisoformat(t).timestamp()
                                                                          for t in times[:5]]
    floats = [rng.choice(["", "36.6", "37", ".5", "12.", "100"]) for _ in range(500)]
    values, ok = sets._numbers(floats, integer=False)
    assert ok.all() and [None if v != v else v for v in values.tolist()] == [float(f) if f else None for f in floats]
    for odd, integer in (("1.2.3", False), (".", False), ("x", True), ("٣", True), ("1.5", True), ("-1", True)):
        assert sets._numbers(["1", odd, ""], integer=integer)[1].tolist() == [True, False, True], odd
