"""open_session: loads every registered table, fills only an empty writable folder with demo data."""

from __future__ import annotations

import random
import sys
import types
from datetime import date
from pathlib import Path

import pytest

from hms_desktop.services import demo
from hms_desktop.services.session import close_session, open_session
from hms_desktop.storage import Store
from tests.shell_fixture_tables import SHELL_NOTES, ShellNote


@pytest.fixture
def demo_notes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A demo generator writing one note per patient, registered like a feature's would be."""
    monkeypatch.setenv("HMS_EXTRA_STORAGE_MODULES", "tests.shell_fixture_tables")

    def generate(services, rng: random.Random, *, patients: int, progress) -> None:
        notes = [ShellNote(patient_id=f"PAT{n:06d}", written_on=date(2026, 1, 1 + rng.randrange(28)))
                 for n in range(1, patients + 1)]
        progress("notes", 0.5)
        services.store.table(SHELL_NOTES).insert_many(notes)

    module = types.ModuleType("hms_desktop.services.demo.shelltest_notes")
    module.generate = generate  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(demo, "GENERATORS", ["shelltest_notes"])


@pytest.mark.slow
def test_empty_folder_gets_demo_data_with_forward_progress(data_dir: Path, demo_notes: None) -> None:
    steps: list[tuple[str, float]] = []
    session = open_session(data_dir, demo_if_empty=True, demo_patients=25, demo_seed=7,
                           progress=lambda s, f: steps.append((s, f)))
    try:
        assert session.demo_patients == 25
        assert session.table_counts["shell_notes"] == 25
        assert len(session.store.table(SHELL_NOTES)) == 25
    finally:
        close_session(session)
    fractions = [f for _, f in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any(s.startswith("Demo data") for s, _ in steps)
    # Durable: a fresh open sees every demo row.
    reopened = Store(data_dir)
    assert len(reopened.table(SHELL_NOTES)) == 25
    reopened.close()


def test_folder_with_records_never_gets_demo_data(data_dir: Path, demo_notes: None) -> None:
    store = Store(data_dir)
    store.table(SHELL_NOTES).insert(ShellNote(patient_id="PAT000001", written_on=date(2026, 3, 1)))
    store.close()
    session = open_session(data_dir, demo_if_empty=True, demo_patients=25)
    try:
        assert session.demo_patients == 0
        assert session.table_counts["shell_notes"] == 1
    finally:
        close_session(session)


def test_read_only_instance_never_generates(data_dir: Path, demo_notes: None) -> None:
    holder = Store(data_dir)
    try:
        session = open_session(data_dir, demo_if_empty=True, demo_patients=5)
        assert session.read_only and session.demo_patients == 0
        close_session(session)
    finally:
        holder.close()


def test_demo_off_leaves_an_empty_folder_empty(data_dir: Path, demo_notes: None) -> None:
    session = open_session(data_dir, demo_if_empty=False, demo_patients=5)
    close_session(session)
    assert session.table_counts["shell_notes"] == 0


def test_clinic_phone_region_reaches_the_services(data_dir: Path) -> None:
    from hms_desktop.domain.clinic_settings import ClinicSettings
    from hms_desktop.services.settings_file import save_settings

    save_settings(data_dir, ClinicSettings(phone_region="IE"))
    session = open_session(data_dir)
    try:
        assert session.services.patients.phone_region == "IE"
    finally:
        close_session(session)


def test_warm_up_builds_lazy_indexes_before_any_tab_asks() -> None:
    from dataclasses import dataclass

    from hms_desktop.services.session import warm_up

    calls: list[str] = []

    class Scheduling:
        def warm_up(self) -> None:
            calls.append("scheduling")

    class Patients:
        @property
        def index(self) -> str:
            calls.append("patient index")
            return "index"

    @dataclass
    class Container:
        scheduling: Scheduling
        patients: Patients

    warm_up(Container(Scheduling(), Patients()))
    assert calls == ["scheduling", "patient index"]


@pytest.mark.slow
def test_loaded_rows_are_out_of_the_collectors_sight_after_opening(data_dir: Path, demo_notes: None) -> None:
    import gc

    gc.unfreeze()
    was_enabled = gc.isenabled()  # off in the test session and in the app (collected on a timer)
    session = open_session(data_dir, demo_if_empty=True, demo_patients=50)
    try:
        assert gc.isenabled() == was_enabled  # paused only while loading
        assert gc.get_freeze_count() > 50  # the rows (and everything else loaded) are frozen
    finally:
        close_session(session)
        gc.unfreeze()
