"""A window that holds the data folder but cannot write to it (a damaged file) can still start
monitoring a bed: the session cannot be saved, so the bed is monitored without it — readings,
alarms and tones — and says plainly that nothing is being saved and why. A bed is never left
unmonitored because its paperwork could not be written (issue 11, follow-up of item 3)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from hms_desktop.devices.simulator import PtySimulator
from hms_desktop.domain.alarm_limits import AlarmKind, Priority
from hms_desktop.domain.monitoring import Bed
from hms_desktop.domain.patient import Patient
from hms_desktop.monitoring.sound import RecordingSound
from hms_desktop.services.session import close_session, open_session
from hms_desktop.ui.composition import opened_context
from hms_desktop.ui.context import AppContext
from hms_desktop.ui.monitor import create_tab
from hms_desktop.ui.monitor.monitor_tab import build_controller
from tests.ui.test_monitor_start_dialog import fill_and_press_ok, named_child, open_dialog


@pytest.fixture
def sim() -> Iterator[PtySimulator]:
    with PtySimulator("cms50-v7", spo2=96, pr=70) as simulator:
        yield simulator


@pytest.fixture
def damaged_folder(data_dir: Path) -> tuple[Path, str]:
    """A folder with two beds and a patient, then one file edited outside the app: opening it
    again keeps the lock but is read-only until the file is restored or repaired."""
    with opened_context(data_dir, actor="nurse.setup") as ctx:
        ctx.services.monitoring.add_beds([Bed(id="BED01", name="Bed 1"), Bed(id="BED02", name="Bed 2", position=1)])
        patient = ctx.services.patients.register(Patient(
            given_name="Ada", family_name="Lovelace", date_of_birth=date(1950, 12, 10), phone="+447911123456"))
    with (data_dir / "departments.csv").open("a", encoding="utf-8") as f:
        f.write("edited by hand\n")
    return data_dir, str(patient.id)


@pytest.fixture
def read_only_ctx(damaged_folder: tuple[Path, str]) -> Iterator[AppContext]:
    with opened_context(damaged_folder[0], actor="nurse.ro") as ctx:
        build_controller(ctx, sound=RecordingSound())
        yield ctx


@pytest.mark.slow
def test_a_new_session_in_a_read_only_window_monitors_alarms_and_says_it_is_not_saved(
        read_only_ctx: AppContext, damaged_folder: tuple[Path, str], qtbot: QtBot, sim: PtySimulator) -> None:
    ctx, patient_id = read_only_ctx, damaged_folder[1]
    assert ctx.read_only and ctx.holds_folder_lock
    reason = ctx.session.read_only_reason
    assert "departments.csv" in reason
    tab = create_tab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    dialog = open_dialog(qtbot, tab, named_child(tab, "start monitoring"))
    fill_and_press_ok(qtbot, dialog, bed="Bed 2", port=sim.port, patient=patient_id, protocol="cms50-v7")

    controller = ctx.monitor_controller
    bed = controller.monitors["BED02"]
    qtbot.waitUntil(lambda: bed.numerics.spo2 == 96 and bed.device_state == "streaming", timeout=20000)
    assert bed.monitoring and bed.patient_id == patient_id

    # what the nurse sees: the bed's tile and the tab both say the session is not being saved, and why
    notice = named_child(tab, "BED02 not saved notice")
    qtbot.waitUntil(notice.isVisible, timeout=5000)
    assert notice.text().startswith("NOT SAVED — monitoring only")
    assert "departments.csv" in notice.toolTip()
    assert "not saved" in tab.message.text().lower() and "Bed 2" in tab.message.text()
    assert "departments.csv" in tab.message.text()
    technical = [a for b, a in controller.alarms() if b == "BED02" and a.kind is AlarmKind.RECORDING_FAILED]
    assert technical and "not saved" in technical[0].text

    # never silent: a desaturation alarms and sounds at high priority
    sound = controller.sound
    assert isinstance(sound, RecordingSound)
    sim.set_values(spo2=80)
    qtbot.waitUntil(lambda: any(b == "BED02" and a.kind is AlarmKind.SPO2_LOW for b, a in controller.alarms()),
                    timeout=15000)
    qtbot.waitUntil(lambda: Priority.HIGH in sound.played, timeout=5000)

    # ending it touches nothing on disk; the bed is free again
    controller.end_monitoring("BED02")
    assert bed.session is None and not notice.isVisible()
    controller.stop()
    ctx.writer.submit(lambda: None).result()


def test_after_reopening_no_unsaved_session_is_on_disk(
        damaged_folder: tuple[Path, str], qtbot: QtBot, sim: PtySimulator) -> None:
    folder, patient_id = damaged_folder
    with opened_context(folder, actor="nurse.ro") as ctx:
        controller = build_controller(ctx, sound=RecordingSound())
        controller.start()
        controller.start_monitoring(bed_id="BED01", patient_id=patient_id, port=sim.port, protocol="cms50-v7")
        bed = controller.monitors["BED01"]
        qtbot.waitUntil(lambda: bed.numerics.spo2 == 96, timeout=20000)
        controller.stop()
    session = open_session(folder)
    try:
        assert session.services.monitoring.live_session("BED01") is None
        assert session.services.monitoring.sessions_for(patient_id) == []
    finally:
        close_session(session)
