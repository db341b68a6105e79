"""Start-up loads what the Patients tab needs first (issue 18 item 1): search works before
the record, care and schedule tables are loaded, a record opened then is complete, lost
files are still named at open, and a table never loaded is never rewritten."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from hms_desktop.services.chronic import chronic_timeline
from hms_desktop.services.observations import observations_timeline
from hms_desktop.services.record import record_timeline
from hms_desktop.services.referrals import referrals_timeline
from hms_desktop.services.session import FIRST_TABLES, close_session, load_deferred, open_session
from hms_desktop.services.timeline import TimelineEntry, collect_timeline
from hms_desktop.services.wearables import wearables_timeline
from hms_desktop.storage.care import OBSERVATIONS
from hms_desktop.storage.registry import all_tables

# Every source the window's Timeline lists (ui/composition.py: timeline_sources).
SOURCES = [record_timeline, observations_timeline, chronic_timeline, referrals_timeline, wearables_timeline]


def timeline_for(services: object, patient_id: str) -> list[TimelineEntry]:
    return collect_timeline(services, patient_id, SOURCES).entries

DEMO_PATIENTS = 1500
DEFERRED = ("observations", "problems", "medications", "clinical_notes", "appointments", "chronic_readings")


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("big-demo") / "data"
    close_session(open_session(folder, demo_if_empty=True, demo_patients=DEMO_PATIENTS, demo_seed=11))
    return folder


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "clinic data"
    shutil.copytree(demo_template, folder)
    return folder


def patients_with_records(folder: Path, count: int) -> dict[str, list[tuple[str, str, str]]]:
    """Timelines (kind, time, title) of patients with records, from a fully loaded session."""
    session = open_session(folder)
    try:
        ids = session.services.patients.search("", limit=400)
        timelines = {pid: [(e.kind, e.at.isoformat(), e.title) for e in timeline_for(session.services, pid)]
                     for pid in ids}
        return dict(sorted(((p, t) for p, t in timelines.items() if len(t) > 2), key=lambda pt: -len(pt[1]))[:count])
    finally:
        close_session(session)


@pytest.mark.slow
def test_search_works_before_the_record_tables_load_and_a_record_opened_then_is_complete(demo: Path) -> None:
    expected = patients_with_records(demo, 5)
    assert expected, "the demo folder should hold patients with records"
    session = open_session(demo, defer_tables=True)
    try:
        store = session.store
        assert {spec.name for spec in session.deferred} >= set(DEFERRED)
        assert all(not store.is_loaded(name) for name in DEFERRED)
        assert all(store.is_loaded(name) for name in FIRST_TABLES)
        found = session.services.patients.search("a")
        assert found  # the Patients tab's search returns ...
        assert all(not store.is_loaded(name) for name in DEFERRED)  # ... with no record table loaded
        for pid, timeline in expected.items():  # opening a record loads what it shows, all of it
            assert [(e.kind, e.at.isoformat(), e.title) for e in timeline_for(session.services, pid)] == timeline
        assert store.is_loaded("observations") and store.is_loaded("problems")
    finally:
        close_session(session)


def test_load_deferred_loads_every_table_with_progress(demo: Path) -> None:
    steps: list[tuple[str, float]] = []
    session = open_session(demo, defer_tables=True, progress=lambda step, fraction: steps.append((step, fraction)))
    assert steps[-1][0] == "Patients ready" and steps[-1][1] < 1.0
    try:
        load_deferred(session, lambda step, fraction: steps.append((step, fraction)))
        assert not session.deferred
        assert all(session.store.is_loaded(spec.name) for spec in all_tables())
        assert session.table_counts["observations"] > 0
        assert session.services.scheduling.index_ready  # the schedule's index too, off the GUI thread
    finally:
        close_session(session)
    fractions = [f for _, f in steps]
    assert fractions == sorted(fractions) and steps[-1] == ("Ready", 1.0)  # the bar only moves forward
    assert any("observations" in step for step, _ in steps)


@pytest.mark.parametrize("damage", ["deleted", "truncated"])
def test_a_lost_file_of_a_deferred_table_is_named_at_open(demo: Path, damage: str) -> None:
    path = demo / "observations.csv"
    if damage == "deleted":
        path.unlink()
    else:
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    session = open_session(demo, defer_tables=True)
    try:
        assert not session.store.is_loaded("observations")
        assert session.read_only and "observations.csv" in session.store.read_only_reason
    finally:
        close_session(session)


def test_a_table_never_loaded_is_never_rewritten(demo: Path) -> None:
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in demo.glob("observations*.csv")}
    session = open_session(demo, defer_tables=True)
    try:
        pid = session.services.patients.search("a")[0]
        session.services.patients.update(pid, {"address": "1 New Street"})
    finally:
        close_session(session)
    assert {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in demo.glob("observations*.csv")} == before


@pytest.mark.slow
def test_a_merge_before_the_background_load_moves_references_in_tables_not_loaded_yet(demo: Path) -> None:
    header, *rows = csv.reader(io.StringIO((demo / "observations.csv").read_text(encoding="utf-8-sig")))
    merged_id = rows[0][header.index("patient_id")]
    count = sum(row[header.index("patient_id")] == merged_id for row in rows)
    session = open_session(demo, defer_tables=True)
    try:
        survivor_id = next(pid for pid in session.services.patients.search("") if pid != merged_id)
        assert not session.store.is_loaded("observations")
        preview = session.services.patients.merge_preview(survivor_id, merged_id)
        assert preview.references.get("observations") == count
        session.services.patients.merge(survivor_id, merged_id)
    finally:
        close_session(session)
    session = open_session(demo)
    try:
        observations = session.store.table(OBSERVATIONS)
        assert not observations.where("patient_id", merged_id)
        assert len(observations.where("patient_id", survivor_id)) >= count
    finally:
        close_session(session)
