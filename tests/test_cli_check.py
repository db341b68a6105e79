"""``python -m hms_desktop check`` as a user runs it: a real subprocess on real files."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from hms_desktop.storage import Store
from tests.shell_fixture_tables import SHELL_NOTES, ShellNote, ShellTick

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, extra_tables: bool = True) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if extra_tables:
        env["HMS_EXTRA_STORAGE_MODULES"] = "tests.shell_fixture_tables"
    return subprocess.run([sys.executable, "-m", "hms_desktop", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def _fill(data_dir: Path) -> None:
    store = Store(data_dir)
    store.table(SHELL_NOTES).insert_many([
        ShellNote(patient_id="PAT000001", written_on=date(2026, 4, 1), text="=not a formula"),
        ShellNote(patient_id="PAT000002", written_on=date(2026, 4, 2), text="line\nbreak, comma"),
        ShellNote(patient_id="PAT000003", written_on=date(2026, 4, 3)),
    ])
    store.day_log("shell_ticks", ShellTick).append(
        [ShellTick(at=datetime(2026, 4, 1, 9, 0, tzinfo=UTC), value=v) for v in range(5)])
    store.close()


@pytest.mark.slow
def test_clean_folder_prints_counts_and_exits_0(data_dir: Path) -> None:
    _fill(data_dir)
    result = run_cli("check", "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "shell_notes: 3 row(s)" in result.stdout
    assert "shell_ticks (day files): 5 row(s)" in result.stdout
    assert "is clean" in result.stdout


@pytest.mark.slow
def test_every_problem_is_listed_as_file_line_reason_and_exit_is_1(data_dir: Path) -> None:
    _fill(data_dir)
    table = data_dir / "shell_notes.csv"
    lines = table.read_text(encoding="utf-8-sig").split("\n")
    bad_date_line = next(i for i, line in enumerate(lines, 1) if line.startswith("SNT000003"))
    table.write_text("\n".join(line.replace("2026-04-03", "03/04/2026") for line in lines),
                     encoding="utf-8")
    day_file = data_dir / "shell_ticks" / "2026-04-01.csv"
    with open(day_file, "a", encoding="utf-8") as handle:
        handle.write("2026-04-01T09:00:09+00:00,many\n")  # hand-added: no checksum column
    (data_dir / "settings.json").write_text('{"phone_region": "Britain"}', encoding="utf-8")

    result = run_cli("check", "--data-dir", str(data_dir))
    assert result.returncode == 1
    out = result.stdout
    assert f"{data_dir / 'shell_notes.csv'}:{bad_date_line}: written_on:" in out
    assert f"{day_file}:7: has 2 fields, the header has 3" in out
    assert f"{data_dir / 'settings.json'}:1: phone_region:" in out
    assert "shell_notes: 2 row(s)" in out  # the good rows still load
    # The hand edit itself: the file no longer matches what the manifest recorded.
    assert f"{data_dir / 'shell_notes.csv'}: is " in out and "outside HMS Desktop" in out
    # ...and the audit chain never recorded the hand-added line
    assert f"{day_file}:7: inserted" in out
    assert "5 problem(s)" in result.stderr


@pytest.mark.slow
def test_check_is_harmless_beside_a_running_app(data_dir: Path) -> None:
    _fill(data_dir)
    app_store = Store(data_dir)  # the "app" holds the folder and keeps writing
    try:
        result = run_cli("check", "--data-dir", str(data_dir))
        assert result.returncode == 0, result.stdout + result.stderr
        assert not app_store.read_only
        app_store.table(SHELL_NOTES).insert(ShellNote(patient_id="PAT000004", written_on=date(2026, 4, 4)))
    finally:
        app_store.close()


@pytest.mark.slow
def test_missing_folder_is_a_problem(tmp_path: Path) -> None:
    result = run_cli("check", "--data-dir", str(tmp_path / "nowhere"))
    assert result.returncode == 1
    assert "not a folder" in result.stdout
    assert not (tmp_path / "nowhere").exists()  # checking never creates anything


@pytest.mark.slow
def test_commands_are_discovered_and_listed() -> None:
    result = run_cli("--help", extra_tables=False)
    assert result.returncode == 0
    assert "check" in result.stdout and "demo" in result.stdout


@pytest.mark.slow
def test_rows_failing_the_models_own_rules_are_found_with_their_line(data_dir: Path) -> None:
    _fill(data_dir)
    table = data_dir / "shell_notes.csv"
    text = table.read_text(encoding="utf-8-sig").replace("PAT000002", "XYZ000002")
    table.write_text(text, encoding="utf-8")
    line = next(i for i, row in enumerate(text.split("\n"), 1) if "XYZ000002" in row)
    result = run_cli("check", "--data-dir", str(data_dir))
    assert result.returncode == 1
    assert (f"{table}:{line}: SNT000002: patient_id: must be a patient id such as PAT000001"
            in result.stdout)
