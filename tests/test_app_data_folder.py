"""Where the program keeps its data: beside main.py for developers, never inside an installation."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from hms_desktop import app
from hms_desktop.services import user_folders


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A frozen bundle in ``tmp_path/install`` (what PyInstaller's executable looks like)."""
    install = tmp_path / "install"
    install.mkdir()
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(install / "hms-desktop"))
    monkeypatch.setattr(user_folders, "user_data_dir", lambda: tmp_path / "home" / "HMS Desktop" / "data")
    return install


def test_a_source_checkout_uses_data_beside_main_py() -> None:
    assert not app.is_installed()
    assert app.default_data_dir() == app.PROJECT_ROOT / "data"


def test_installed_uses_the_platform_folder_then_the_users_choice(installed: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app, "chosen_data_dir", lambda: None)
    assert app.default_data_dir() == tmp_path / "home" / "HMS Desktop" / "data"
    monkeypatch.setattr(app, "chosen_data_dir", lambda: tmp_path / "clinic share" / "data")
    assert app.default_data_dir() == tmp_path / "clinic share" / "data"


def test_installed_never_uses_a_folder_inside_the_installation(installed: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app, "chosen_data_dir", lambda: installed / "_internal" / "data")
    assert app.default_data_dir() == tmp_path / "home" / "HMS Desktop" / "data"
