"""A folder from another version: backed up before a migration; read-only when newer."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from hms_desktop.services.backup.upgrade import UPGRADE_BACKUPS
from hms_desktop.services.data_check import check_data
from hms_desktop.services.session import close_session, open_session
from hms_desktop.storage import ReadOnlyError

from .upgrade_tables import UPGRADE_VISITS, Visit


@pytest.fixture(autouse=True)
def upgrade_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HMS_EXTRA_STORAGE_MODULES", "tests.services.upgrade_tables")


def _version_1_folder(data_dir: Path) -> bytes:
    """A folder written by the previous release: upgrade_visits at schema 1, no room column."""
    old = "\ufeffid,reason,version,updated_at,updated_by,seq\nUPV000001,cough,1,,ann,1\n".encode()
    (data_dir / "upgrade_visits.csv").write_bytes(old)
    (data_dir / "manifest.json").write_text(json.dumps({"format": 1, "tables": {"upgrade_visits": 1}}))
    return old


def test_an_older_folder_is_backed_up_before_it_is_migrated(data_dir: Path) -> None:
    old = _version_1_folder(data_dir)
    session = open_session(data_dir)
    try:
        assert session.store.table(UPGRADE_VISITS).get("UPV000001").room == "unknown"
    finally:
        close_session(session)
    assert b"room" in (data_dir / "upgrade_visits.csv").read_bytes()  # migrated on disk
    (backup,) = (data_dir / UPGRADE_BACKUPS).iterdir()
    with zipfile.ZipFile(backup) as archive:
        assert archive.read("data/upgrade_visits.csv") == old
    # Opening again (now current) makes no second backup, and check stays clean.
    close_session(open_session(data_dir))
    assert len(list((data_dir / UPGRADE_BACKUPS).iterdir())) == 1
    assert check_data(data_dir).clean


def test_a_folder_from_a_newer_version_opens_read_only_and_says_why(data_dir: Path) -> None:
    newer = ("\ufeffid,reason,room,ward,version,updated_at,updated_by,seq\n"
             "UPV000001,cough,4,east,1,,ann,1\n").encode()
    (data_dir / "upgrade_visits.csv").write_bytes(newer)
    (data_dir / "manifest.json").write_text(json.dumps({"format": 1, "tables": {"upgrade_visits": 3}}))
    session = open_session(data_dir)
    try:
        assert session.read_only
        reason = session.store.read_only_reason
        assert "newer HMS Desktop" in reason and "upgrade_visits has schema version 3" in reason
        table = session.store.table(UPGRADE_VISITS)
        assert table.get("UPV000001").room == "4"  # readable: matched by column name
        with pytest.raises(ReadOnlyError, match="newer HMS Desktop"):
            table.insert(Visit(reason="fever"))
    finally:
        close_session(session)
    assert (data_dir / "upgrade_visits.csv").read_bytes() == newer  # the ward column is kept
    assert not (data_dir / UPGRADE_BACKUPS).exists()
