"""Fixtures of the storage tests: a real demo folder, generated once per run, copied per test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .hostile import DEMO_PATIENTS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo-template") / "data"
    subprocess.run([sys.executable, "-m", "hms_desktop", "demo", "--data-dir", str(folder), "--patients",
                    str(DEMO_PATIENTS), "--seed", "7"], cwd=ROOT, check=True, capture_output=True,
                   env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    return folder


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> Path:
    """A private copy of the demo folder (files, manifest, history, day files)."""
    folder = tmp_path / "clinic data"  # a space in the path, as on many desktops
    shutil.copytree(demo_template, folder)
    return folder
