"""At a nurse-station kiosk a nurse or clinician signs in over the station for one start of
monitoring (issue 14 item 4): the real Start monitoring dialog, then the real sign-in prompt;
the session is saved under the nurse, the kiosk stays the station's, and a wrong password
counts toward the lock-out like any sign-in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from hms_desktop.devices.simulated import DEMO_PORT
from hms_desktop.domain.accounts import AccessEvent, Role
from hms_desktop.domain.patient import Patient
from hms_desktop.storage import Store
from hms_desktop.storage.monitoring import SESSIONS
from hms_desktop.ui.context import AppContext
from hms_desktop.ui.monitor import create_tab
from hms_desktop.ui.monitor.dialogs import ConnectDialog
from tests.accounts.gate_helpers import named
from tests.ui.monitor_helpers import monitor_context

NURSE_PASSWORD = "the night shift starts at nine"
STATION_PASSWORD = "ward three kiosk by the door"


@pytest.fixture
def ctx(data_dir: Path, qtbot: QtBot) -> Iterator[AppContext]:
    with monitor_context(data_dir, "system") as context:
        services = context.services
        services.patients.register(Patient(given_name="Ada", family_name="Lovelace", date_of_birth=date(1980, 1, 2)))
        services.accounts.create("nina", "Nina Nurse", [Role.NURSE], NURSE_PASSWORD, must_change=False)
        services.accounts.create("ward3", "Ward 3 station", [Role.STATION], STATION_PASSWORD, must_change=False)
        context.sign_in(services.accounts.authenticate("ward3", STATION_PASSWORD))
        yield context


def _prompt() -> QWidget:
    shown = [w for w in QApplication.topLevelWidgets()
             if w.accessibleName() == "sign in for this action" and w.isVisible()]
    assert len(shown) == 1
    return shown[0]


def _type_credentials(qtbot: QtBot, prompt: QWidget, username: str, password: str) -> None:
    named(prompt, QLineEdit, "username").setText(username)
    password_field = named(prompt, QLineEdit, "password")
    password_field.setFocus()
    qtbot.keyClicks(password_field, password)
    qtbot.keyClick(password_field, Qt.Key.Key_Return)  # Enter authorises: keyboard only


@pytest.mark.slow
def test_a_nurse_signs_in_over_the_station_for_one_start_of_monitoring(
        ctx: AppContext, qtbot: QtBot, data_dir: Path) -> None:
    tab = create_tab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    assert tab.connect_button.isEnabled()  # offered to the station: a nurse signs in for it
    dialog = tab.bed_actions.start_monitoring("BED01")
    assert isinstance(dialog, ConnectDialog)
    dialog.port.setEditText(DEMO_PORT)
    dialog.patient.setText("PAT000001")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(w.accessibleName() == "sign in for this action" and w.isVisible()
                                for w in QApplication.topLevelWidgets()), timeout=5000)
    prompt = _prompt()
    assert "start monitoring on Bed 1" in named(prompt, QLabel, "why sign in").text()

    _type_credentials(qtbot, prompt, "nina", "not her password at all")
    problem = named(prompt, QLabel, "sign-in problem")
    qtbot.waitUntil(lambda: "wrong username or password" in problem.text().lower(), timeout=10_000)
    assert ctx.services.accounts.get("nina").failed_attempts == 1  # counts toward the lock-out
    assert ctx.services.monitoring.live_session("BED01") is None

    _type_credentials(qtbot, prompt, "nina", NURSE_PASSWORD)
    qtbot.waitUntil(lambda: ctx.services.monitoring.live_session("BED01") is not None, timeout=10_000)
    qtbot.waitUntil(lambda: ctx.services.access.user.username == "ward3", timeout=5000)
    assert not any(w.accessibleName() == "sign in for this action" and w.isVisible()
                   for w in QApplication.topLevelWidgets())
    session = ctx.services.monitoring.live_session("BED01")
    assert session is not None and session.patient_id == "PAT000001"
    assert ctx.write_guard is not None and ctx.user.username == "ward3"  # the kiosk stays the station
    # The next action asks again: the authorisation was for that one start.
    ctx.monitor_controller.end_monitoring("BED01")
    qtbot.waitUntil(lambda: any(w.accessibleName() == "sign in for this action" and w.isVisible()
                                for w in QApplication.topLevelWidgets()), timeout=5000)
    qtbot.mouseClick(named(_prompt(), QPushButton, "cancel"), Qt.MouseButton.LeftButton)
    ctx.writer.drain()
    assert ctx.services.monitoring.live_session("BED01") is not None
    session_id = session.id

    # Reopened from the files: saved under the nurse, and the access log says who authorised.
    ctx.monitor_controller.stop()
    ctx.writer.drain()
    store = Store(data_dir, read_only=True)
    assert store.table(SESSIONS).history(session_id)[0].by == "nina"
    now = datetime.now(UTC)
    events = store.day_log("access", AccessEvent).read(now - timedelta(days=1), now + timedelta(days=1))
    countersigned = [e for e in events if e.action == "countersigned"]
    assert [(e.user, e.detail) for e in countersigned] == [
        ("nina", "start monitoring on Bed 1 at the Ward 3 station (ward3)")]
    assert [e.detail for e in events if e.action == "sign-in failed"] == ["nina: wrong password (1 in a row)"]
    store.close()


def test_only_the_countersigned_saves_are_the_nurses(ctx: AppContext) -> None:
    """A station save already queued when the nurse signs in stays the station's, and so does
    the next one: the switch happens on the writer, around the action's own saves."""
    import threading

    from hms_desktop.ui.monitor.countersign import perform_as

    access = ctx.services.access
    nurse = ctx.services.accounts.authenticate("nina", NURSE_PASSWORD)
    seen: list[str] = []
    released = threading.Event()
    ctx.writer.submit(released.wait)  # the writer is busy (a checkpoint, a long import)
    ctx.writer.submit(lambda: seen.append(access.user.username))  # the station's recording
    perform_as(ctx, nurse, "start monitoring on Bed 1",
               lambda: ctx.writer.submit(lambda: seen.append(access.user.username)))
    assert access.user.username == "ward3"  # the window never changes user
    ctx.writer.submit(lambda: seen.append(access.user.username))
    released.set()
    ctx.writer.drain()
    assert seen == ["ward3", "nina", "ward3"]
