"""Acknowledging a remote bed's alarm at the nurse station, on the real server.

Two application contexts in this process, each with its own session on the same database:
the bedside ("ward-pc") monitors Bed 1 from a hand-driven device and shares it; the nurse
station ("station-2", nurse Nina signed in) opens View ▸ Remote beds… The test drives the
station's window with qtbot by accessible name and checks the bedside's own alarm engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QTableWidget, QWidget
from pytestqt.qtbot import QtBot

from hms_desktop.domain.accounts import Role, SignedInUser
from hms_desktop.domain.alarm_limits import AlarmKind, AlarmLimits, Priority
from hms_desktop.domain.alarms import Alarm
from hms_desktop.domain.monitoring import Bed
from hms_desktop.domain.patient import Patient
from hms_desktop.monitoring.sound import RecordingSound
from hms_desktop.services.remote_alarms import BedsideAcknowledgements
from hms_desktop.services.session import open_session
from hms_desktop.ui.composition import close_context, open_context
from hms_desktop.ui.context import AppContext
from hms_desktop.ui.monitor.controller import StationController
from hms_desktop.ui.monitor.monitor_tab import build_controller
from hms_desktop.ui.monitor.remote_beds import (
    BedSharing,
    RemoteBedsWindow,
    open_remote_beds,
    share_monitored_beds,
)
from tests.monitoring.helpers import ManualSource
from tests.pg_support import fresh_schema, password_in_file

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
NURSE = SignedInUser("nina", "Nina Nurse", frozenset({Role.NURSE}))
RECEPTION = SignedInUser("rita", "Rita Desk", frozenset({Role.RECEPTIONIST}))


@dataclass
class Clinic:
    bedside: AppContext
    bedside_monitor: StationController
    device: ManualSource
    sharing: BedSharing
    station: AppContext
    window: RemoteBedsWindow
    url: str

    def bedside_alarm(self) -> Alarm | None:
        return self.bedside_monitor.core.monitors["BED01"].engine.alarm(AlarmKind.PR_HIGH)


def child(window: QWidget, accessible: str) -> QWidget:
    found = [w for w in window.findChildren(QWidget) if w.accessibleName() == accessible]
    assert len(found) == 1, f"{accessible!r}: {len(found)} widgets"
    return found[0]


def alarm_rows(window: QWidget) -> list[str]:
    table = child(window, "remote alarms")
    assert isinstance(table, QTableWidget)
    return [table.item(r, 0).text() for r in range(table.rowCount()) if table.item(r, 0) is not None]


def message(window: QWidget) -> str:
    line = child(window, "remote alarm message")
    assert isinstance(line, QLabel)
    return line.text()


def context_on(url: str, folder: Path) -> AppContext:
    return open_context(folder, services=open_session(folder, database=url).services)


@pytest.fixture
def clinic(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Clinic]:
    with fresh_schema() as server:
        url = password_in_file(server, tmp_path, monkeypatch)
        bedside = context_on(url, tmp_path / "ward-pc")
        station = context_on(url, tmp_path / "station-2")
        window: RemoteBedsWindow | None = None
        sharing: BedSharing | None = None
        try:
            services = bedside.services
            (patient,) = services.patients.register_many(
                [Patient(given_name="Ada", family_name="Lovelace", date_of_birth=date(1950, 5, 5))], check_phones=False)
            services.monitoring.add_beds([Bed(id="BED01", name="Bed 1")])
            services.monitoring.set_limits(patient.id, AlarmLimits(id=patient.id, pr_delay_s=0.0))
            monitor = build_controller(bedside, sound=RecordingSound())
            monitor.start()
            device = ManualSource()
            monitor.start_monitoring("BED01", patient.id, "manual", "test", source=device)
            qtbot.waitUntil(lambda: device.started, timeout=20000)
            sharing = share_monitored_beds(bedside, workstation="ward-pc")
            assert sharing is not None

            station.sign_in(NURSE)
            build_controller(station, sound=RecordingSound())
            window = open_remote_beds(station, url, workstation="station-2")
            qtbot.addWidget(window)
            window.show()
            device.send(97, 140)  # Pulse rate high (limit 120), medium, at once
            yield Clinic(bedside, monitor, device, sharing, station, window, url)
        finally:
            if window is not None:
                window.close()
            if sharing is not None:
                sharing.stop()
            close_context(station)
            close_context(bedside)


def wait_for_row(qtbot: QtBot, window: QWidget, text: str) -> None:
    qtbot.waitUntil(lambda: any(text in r for r in alarm_rows(window)), timeout=20000)


def test_a_nurse_acknowledges_a_remote_alarm_and_the_bedside_records_her(qtbot: QtBot, clinic: Clinic) -> None:
    window = clinic.window
    wait_for_row(qtbot, window, "Pulse rate high (peak 140) — Bed 1 on ward-pc")
    station_sound = clinic.station.monitor_controller.sound  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: Priority.MEDIUM in station_sound.played, timeout=10000)  # type: ignore[attr-defined]
    assert "not acknowledged" in alarm_rows(window)[0]

    table = child(window, "remote alarms")
    assert isinstance(table, QTableWidget)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualItemRect(table.item(0, 0)).center())
    ack = child(window, "acknowledge selected remote alarm")
    assert isinstance(ack, QPushButton)
    qtbot.mouseClick(ack, Qt.MouseButton.LeftButton)

    # The bedside's own engine acknowledged it, under the station's user and workstation …
    qtbot.waitUntil(lambda: (a := clinic.bedside_alarm()) is not None and a.acknowledged, timeout=20000)
    assert clinic.bedside_alarm().acknowledged_by == "nina from station-2"  # type: ignore[union-attr]
    # … and the station shows the new state from the board, and stops sounding it.
    wait_for_row(qtbot, window, "acknowledged by nina from station-2")
    assert "confirmed by ward-pc" in message(window)
    assert window.board.sounding() == []

    since = datetime.now(UTC) - timedelta(hours=1)
    until = since + timedelta(hours=2)
    qtbot.waitUntil(lambda: any(r.acknowledged_by == "nina from station-2"  # the bedside's alarm log
                                for r in clinic.bedside.services.monitoring.alarm_history(since, until)),
                    timeout=20000)
    qtbot.waitUntil(lambda: any(e.user == "nina" and e.action == "acknowledged a remote bed's alarm"
                                and "Bed 1 on ward-pc" in e.detail
                                for e in clinic.station.services.access.read_log(since, until)), timeout=20000)


def test_an_acknowledge_for_an_alarm_that_changed_is_refused(qtbot: QtBot, clinic: Clinic) -> None:
    window = clinic.window
    wait_for_row(qtbot, window, "** Pulse rate high")
    window.watcher.stop()  # the station still shows the medium alarm …
    clinic.device.send(97, 160)  # … while at the bedside it crossed the critical limit: high now
    qtbot.waitUntil(lambda: clinic.bedside_alarm().priority is Priority.HIGH, timeout=10000)  # type: ignore[union-attr]

    table = child(window, "remote alarms")
    assert isinstance(table, QTableWidget)
    table.setFocus()
    table.setCurrentCell(0, 0)
    qtbot.keyClick(table, Qt.Key.Key_Return)  # Enter on the row acknowledges it
    qtbot.waitUntil(lambda: "NOT acknowledged" in message(window), timeout=20000)
    assert "changed from medium to high priority" in message(window)
    assert not clinic.bedside_alarm().acknowledged  # type: ignore[union-attr]
    assert "acknowledged by" not in alarm_rows(window)[0]


def test_an_offline_bedside_is_said_and_never_acknowledges_later(qtbot: QtBot, clinic: Clinic) -> None:
    window = clinic.window
    wait_for_row(qtbot, window, "Pulse rate high")
    clinic.sharing.acknowledgements.stop()  # ward-pc still publishes but no longer answers
    window.alarm_panel.requests.timeout = 1.0  # type: ignore[union-attr]
    qtbot.mouseClick(child(window, "acknowledge selected remote alarm"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "did not reach ward-pc" in message(window), timeout=20000)
    assert "NOT acknowledged" in message(window)
    assert "acknowledged by" not in alarm_rows(window)[0]
    assert not clinic.bedside_alarm().acknowledged  # type: ignore[union-attr]

    # ward-pc answers again: the request it missed has expired and is not applied now.
    back = BedsideAcknowledgements(clinic.url, "ward-pc", lambda _request: "must not be called")
    try:
        assert back.answer_now() == []
    finally:
        back.stop()
    assert not clinic.bedside_alarm().acknowledged  # type: ignore[union-attr]
    with psycopg.connect(clinic.url) as conn:
        assert conn.execute("SELECT status, requested_by, requested_from FROM bed_alarm_requests").fetchall() == [
            ("expired", "nina", "station-2")]


def test_a_role_without_the_permission_cannot_acknowledge(qtbot: QtBot, clinic: Clinic) -> None:
    window = clinic.window
    wait_for_row(qtbot, window, "Pulse rate high")
    clinic.station.sign_in(RECEPTION)
    qtbot.mouseClick(child(window, "acknowledge selected remote alarm"), Qt.MouseButton.LeftButton)
    assert "may not acknowledge alarms" in message(window)
    with psycopg.connect(clinic.url) as conn:  # nothing was sent
        assert conn.execute("SELECT count(*) FROM bed_alarm_requests").fetchone() == (0,)


def test_a_silent_bedside_alarms_at_the_station_and_is_acknowledged_there(qtbot: QtBot, clinic: Clinic) -> None:
    window = clinic.window
    wait_for_row(qtbot, window, "Pulse rate high")
    clinic.sharing.broadcaster.stop()  # ward-pc stops publishing (its last beat: 9 s ago)
    with psycopg.connect(clinic.url) as conn:
        conn.execute("UPDATE bed_board SET beat_at = now() - interval '9 seconds'")
    wait_for_row(qtbot, window, "** Bed 1: no data from ward-pc for ")
    no_data = next(a for a in window.board.alarms() if a.at_station)
    assert window.board.sounding() == [(no_data.key, Priority.MEDIUM)]  # it sounds; the stale PR alarm does not
    rows = alarm_rows(window)
    assert any("Pulse rate high" in r and "last known: no data from ward-pc" in r for r in rows)

    table = child(window, "remote alarms")
    assert isinstance(table, QTableWidget)
    stale_row = next(i for i, r in enumerate(rows) if "Pulse rate high" in r)
    table.setCurrentCell(stale_row, 0)
    qtbot.keyClick(table, Qt.Key.Key_Return)  # the bedside cannot be asked: said at once
    assert "did not reach ward-pc (no data from it for" in message(window)

    qtbot.mouseClick(child(window, "pause alarm audio at this station"), Qt.MouseButton.LeftButton)
    assert message(window).startswith("Audio paused for 2 min by nina")
    station_audio = clinic.station.monitor_controller.audio  # type: ignore[union-attr]
    assert (no_data.key, Priority.MEDIUM) in station_audio.covered  # the station's own pause covers it

    table.setCurrentCell(next(i for i, r in enumerate(alarm_rows(window)) if "no data from ward-pc for" in r), 0)
    qtbot.mouseClick(child(window, "acknowledge selected remote alarm"), Qt.MouseButton.LeftButton)
    assert "acknowledged here by nina" in message(window)
    assert window.board.sounding() == []
    wait_for_row(qtbot, window, "acknowledged by nina at")
