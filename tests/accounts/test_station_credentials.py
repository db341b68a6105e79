"""The kiosk's credential file: unattended sign-in as the station, refused when others can read it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hms_desktop.domain.accounts import Role, SignedInUser
from hms_desktop.domain.record import Section
from hms_desktop.services.accounts import AccountError
from hms_desktop.services.session import close_session, open_session
from hms_desktop.services.station_credentials import provision_station, sign_in_station


def test_a_provisioned_station_signs_in_unattended_after_a_restart(data_dir: Path, tmp_path: Path) -> None:
    credentials = tmp_path / "station" / "credentials.json"
    session = open_session(data_dir, user=SignedInUser("boss", "Boss", frozenset({Role.ADMINISTRATOR})))
    provision_station(session.services.accounts, "ward3", "Ward 3 station", credentials)
    close_session(session)
    assert (credentials.stat().st_mode & 0o777) == 0o600
    restarted = open_session(data_dir)
    try:
        user = sign_in_station(restarted.services.accounts, credentials)
        restarted.sign_in(user)
        assert restarted.user.is_station and restarted.user.username == "ward3"
        with pytest.raises(PermissionError):
            restarted.services.record.entries(Section.NOTES, "PAT000001")
        if os.name != "nt":
            credentials.chmod(0o644)
            with pytest.raises(AccountError, match="readable by other users"):
                sign_in_station(restarted.services.accounts, credentials)
    finally:
        close_session(restarted)


def test_only_an_administrator_provisions_a_station(data_dir: Path, tmp_path: Path) -> None:
    session = open_session(data_dir, user=SignedInUser("kim", "Kim", frozenset({Role.NURSE})))
    try:
        with pytest.raises(PermissionError, match="provision a nurse station"):
            provision_station(session.services.accounts, "ward3", "Ward 3", tmp_path / "c.json")
        assert not (tmp_path / "c.json").exists()
    finally:
        close_session(session)
