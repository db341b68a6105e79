"""A companion nurse-station window (``--station``) stays on while the main window is locked,
with its beds, numbers and alarms working, but shows no patient name or ID (issue 14 item 3),
checked by walking the text of every visible widget of every window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from hms_desktop.app import open_station
from hms_desktop.devices.sources import SyntheticOximeter
from hms_desktop.domain.alarm_limits import AlarmKind, AlarmLimits
from hms_desktop.services.accounts import DEMO_ACCOUNTS
from hms_desktop.storage.patients import PATIENTS
from hms_desktop.ui.monitor.station_view import StationView
from tests.accounts.gate_helpers import named, sign_in, visible_text

PASSWORDS = {username: password for username, _name, _role, password in DEMO_ACCOUNTS}
FAST = AlarmLimits(satseconds=0, spo2_delay_s=1, pr_delay_s=1)


@pytest.mark.slow
def test_the_companion_station_hides_patients_while_the_main_window_is_locked(
        gated, qtbot: QtBot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window, gate, _sound, _now = gated(tmp_path / "clinic", demo=True)
    sign_in(qtbot, gate, "nurse", PASSWORDS["nurse"])
    ctx = window.ctx
    patient = ctx.store.table(PATIENTS).get(ctx.store.table(PATIENTS).ids()[0])
    beds = ctx.monitor_controller
    beds.service.set_limits(patient.id, FAST.model_copy(update={"id": patient.id}))
    beds.ensure_bed("BED09")  # demo beds are busy with demo devices
    beds.start_monitoring("BED09", patient.id, "synthetic", "cms50-v7", source=SyntheticOximeter(spo2=97))
    qtbot.waitUntil(lambda: beds.monitors["BED09"].monitoring, timeout=10_000)
    open_station(window, ctx, [], None)
    station = next(w for w in window._companions if isinstance(w, StationView))
    qtbot.addWidget(station)
    station.showNormal()
    bed_name = beds.monitors["BED09"].bed.name
    qtbot.waitUntil(lambda: patient.id in station.tiles["BED09"].patient_label.text(), timeout=10_000)
    assert patient.family_name in visible_text()  # the walk sees the name while unlocked
    station.show_bed("BED09")

    gate.lock()
    assert station.isVisible()  # the kiosk stays on
    text = visible_text()
    assert patient.family_name not in text and patient.id not in text, "a patient shows while locked"
    assert bed_name in text and "patient hidden (screen locked)" in text
    # The bed desaturates while locked: numbers and the alarm show and are answered at the station.
    beds.sources["BED09"].spo2 = 80  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: station.bed_view.spo2.text() == "80", timeout=10_000)
    qtbot.waitUntil(lambda: beds.monitors["BED09"].engine.alarm(AlarmKind.SPO2_LOW) is not None, timeout=15_000)
    live = station.alarm_list.live
    qtbot.waitUntil(lambda: any(bed_name in (live.item(r, 0).text() if live.item(r, 0) else "")
                                for r in range(live.rowCount())), timeout=5_000)
    text = visible_text()
    assert patient.family_name not in text and patient.id not in text
    row = next(r for r in range(live.rowCount()) if bed_name in live.item(r, 0).text())
    live.selectRow(row)
    qtbot.mouseClick(named(station.alarm_list, QPushButton, "acknowledge selected alarm"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: beds.monitors["BED09"].engine.alarm(AlarmKind.SPO2_LOW).acknowledged, timeout=5_000)

    sign_in(qtbot, gate, "nurse", PASSWORDS["nurse"])  # unlocked: the names come back
    qtbot.waitUntil(lambda: patient.family_name in station.bed_view.title.text(), timeout=5_000)
    station.close()
