"""The bundle's executable runs the helper processes the app starts as ``<executable> -m MODULE``.

In the bundle ``sys.executable`` is the program itself; these run its entry point the same way
in a real subprocess (the installer smoke test in .ci/run runs the real bundle).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def launcher(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "hms_desktop.packaging.launcher", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def test_the_watchdog_helper_runs_as_the_watchdog_not_as_a_second_window() -> None:
    result = launcher("-m", "hms_desktop.ui.shell.watchdog_process", "--help")
    assert result.returncode == 0, result.stderr
    assert "hms-desktop-watchdog" in result.stdout


@pytest.mark.slow
def test_check_data_folder_runs_the_check_command(tmp_path: Path) -> None:
    folder = tmp_path / "clinic"
    made = launcher("demo", "--data-dir", str(folder), "--patients", "5", timeout=120)
    assert made.returncode == 0, made.stderr
    result = launcher("-m", "hms_desktop", "check", "--data-dir", str(folder), timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"OK: {folder} is clean" in result.stdout
    assert "readable by other users" not in result.stdout  # the demo writes owner-only files too


def test_a_module_outside_the_program_is_refused_by_name() -> None:
    result = launcher("-m", "json.tool")
    assert result.returncode == 2
    assert "json.tool" in result.stderr


def test_every_data_file_the_package_reads_ships_with_it() -> None:
    """The bundle and the wheel take package data from pyproject.toml's list: nothing left out."""
    import fnmatch
    import tomllib

    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["hms_desktop"]
    package = ROOT / "hms_desktop"
    data_files = [p.relative_to(package).as_posix() for p in package.rglob("*")
                  if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts]
    assert data_files
    assert [f for f in data_files if not any(fnmatch.fnmatch(f, pat) for pat in patterns)] == []


@pytest.mark.slow
def test_an_unattended_start_that_cannot_open_the_folder_exits_with_the_reason(tmp_path: Path) -> None:
    """``--quit-when-ready`` (the installer smoke test) must never wait on an error page."""
    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("a file where the data folder should be")
    result = subprocess.run(
        [sys.executable, "main.py", "--data-dir", str(not_a_folder), "--quit-when-ready"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
             "HMS_LOG_DIR": str(tmp_path / "logs")})
    assert result.returncode == 1
    assert f"Could not open the data folder {not_a_folder}" in result.stderr


@pytest.mark.slow
def test_an_unattended_start_that_cannot_reach_the_server_names_the_server(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "main.py", "--database", "postgresql://hms@127.0.0.1:1/clinic", "--quit-when-ready"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
             "HMS_LOG_DIR": str(tmp_path / "logs"), "XDG_CONFIG_HOME": str(tmp_path / "config")})
    assert result.returncode == 1
    assert "Could not open the clinic on the server" in result.stderr
    assert "127.0.0.1" in result.stderr
    assert "data folder" not in result.stderr.split("Check that")[0]
