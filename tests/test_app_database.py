"""``python main.py --database postgresql://…`` opens the clinic on the server (a real process)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pg_support import fresh_schema, password_in_file

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.postgres


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with fresh_schema() as url:
        yield password_in_file(url, tmp_path, monkeypatch)


def test_the_app_opens_fills_and_closes_on_the_server(database: str, tmp_path: Path) -> None:
    workstation = tmp_path / "workstation"
    result = subprocess.run(
        [sys.executable, "main.py", "--database", database, "--data-dir", str(workstation),
         "--demo-patients", "12", "--quit-when-ready"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
             "HMS_LOG_DIR": str(tmp_path / "logs")})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "uncaught" not in result.stderr, result.stderr[-2000:]
    from hms_desktop.storage.patients import PATIENTS
    from hms_desktop.storage.postgres import open_pg_store

    store = open_pg_store(database, data_dir=workstation)
    try:
        assert len(store.table(PATIENTS)) == 12  # the demo went to the server
    finally:
        store.close()
    assert not list(workstation.glob("*.csv"))  # and not into the local folder
