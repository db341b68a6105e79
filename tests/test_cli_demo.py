"""``python -m hms_desktop demo`` in a real subprocess."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from hms_desktop.services import demo
from hms_desktop.storage import Store
from tests.shell_fixture_tables import SHELL_NOTES, ShellNote
from tests.test_cli_check import run_cli


@pytest.mark.slow
def test_bad_patient_count_is_refused_naming_the_option(data_dir: Path) -> None:
    result = run_cli("demo", "--data-dir", str(data_dir), "--patients", "-5")
    assert result.returncode == 2
    assert "--patients: must be 0 or more" in result.stderr
    result = run_cli("demo", "--data-dir", str(data_dir), "--patients", "many")
    assert result.returncode == 2 and "'many' is not a whole number" in result.stderr
    assert list(data_dir.iterdir()) == []


@pytest.mark.skipif(not demo.GENERATORS, reason="no feature demo generators merged in this build")
@pytest.mark.slow
def test_folder_with_records_is_never_mixed_with_demo_data(data_dir: Path) -> None:
    store = Store(data_dir)
    store.table(SHELL_NOTES).insert(ShellNote(patient_id="PAT000001", written_on=date(2026, 5, 1)))
    store.close()
    before = (data_dir / "shell_notes.csv").read_bytes()
    result = run_cli("demo", "--data-dir", str(data_dir), "--patients", "10")
    assert result.returncode == 1
    assert "already holds records" in result.stderr
    assert (data_dir / "shell_notes.csv").read_bytes() == before


@pytest.mark.skipif(not demo.GENERATORS, reason="no feature demo generators merged in this build")
@pytest.mark.slow
def test_demo_data_passes_check(data_dir: Path) -> None:
    result = run_cli("demo", "--data-dir", str(data_dir), "--patients", "200", "--seed", "3",
                     extra_tables=False)
    assert result.returncode == 0, result.stderr
    assert "demo data for 200 patients" in result.stdout
    check = run_cli("check", "--data-dir", str(data_dir), extra_tables=False)
    assert check.returncode == 0, check.stdout
    assert "patients: 200 row(s)" in check.stdout
