"""Interop fixtures: a small demo folder (built once per module, copied per test), sessions."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from hms_desktop.domain.accounts import Role
from hms_desktop.services.session import Session, close_session, open_session
from tests.cli_accounts import PASSWORD, add_accounts

DEMO_PATIENTS = 40


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "data"
    session = open_session(folder, demo_if_empty=True, demo_patients=DEMO_PATIENTS, demo_seed=7)
    close_session(session)
    return folder


@pytest.fixture
def demo_session(demo_template: Path, tmp_path: Path) -> Iterator[Session]:
    folder = tmp_path / "demo"
    shutil.copytree(demo_template, folder, ignore=shutil.ignore_patterns(".lock"))
    session = open_session(folder)
    yield session
    close_session(session)


@pytest.fixture
def session(data_dir: Path) -> Iterator[Session]:
    opened = open_session(data_dir)
    yield opened
    close_session(opened)


def reopen(folder: Path) -> Session:
    """A fresh session on the folder: what is there after a restart."""
    return open_session(folder)


@pytest.fixture
def import_user(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A clinician of ``data_dir`` whose password is in ``HMS_PASSWORD``: commands run as them."""
    add_accounts(data_dir, clin=Role.CLINICIAN)
    monkeypatch.setenv("HMS_PASSWORD", PASSWORD)
    return "clin"
