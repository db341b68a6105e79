"""Support for the hostile-files tests: a real demo folder, opened and checked as a user would.

Each test copies one demo folder generated once per run (``python -m hms_desktop demo``; the
``demo`` fixture in conftest.py) and breaks its real files the way a clinic does; then it opens
the folder the way the app does (``open_session``) and runs ``check`` and ``repair`` as the
command line does.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hms_desktop.__main__ import main as cli_main
from hms_desktop.services.session import Session, close_session, open_session
from hms_desktop.storage.csvfile import read_records
from tests.cli_accounts import DEMO_PASSWORDS

DEMO_PATIENTS = 4


@contextlib.contextmanager
def opened(folder: Path) -> Iterator[Session]:
    """The folder as the app opens it (every table, the services), closed again after."""
    session = open_session(folder)
    try:
        yield session
    finally:
        close_session(session)


def run(*args: str, stdin: str = "") -> tuple[int, str]:
    """``python -m hms_desktop <args>`` in this process: exit code and everything it printed."""
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli_main(list(args))
    finally:
        sys.stdin = old_stdin
    return code, out.getvalue() + err.getvalue()


def check(folder: Path) -> tuple[int, str]:
    return run("check", "--data-dir", str(folder))


def repair(folder: Path, *extra: str, user: str = "admin") -> tuple[int, str]:
    """Repair signed in as the demo folder's administrator (cli/_signin.py)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HMS_PASSWORD", DEMO_PASSWORDS[user])
        return run("repair", "--data-dir", str(folder), "--user", user, "--yes", *extra)


def rows(path: Path) -> list[dict[str, str]]:
    header, records = read_records(path)
    return [dict(zip(header, r.cells, strict=False)) for r in records]


def manifest(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "manifest.json").read_text(encoding="utf-8-sig"))
    return data


def crash(session: Session) -> None:
    """Leave without a checkpoint, as a killed process does (the journal stays as written)."""
    session.store.abandon()
