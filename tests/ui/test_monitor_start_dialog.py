"""Monitor ▸ Start monitoring… through the real dialog, real buttons and a real pseudo-terminal
driven by our simulator: nothing mocked between the dialog and the device (issue 11 items 1
and 14: the dialog's values went to the wrong parameters and the bed stayed idle; the kiosk's
buttons did nothing; unknown patients were accepted; no protocol detection)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from hms_desktop.devices.simulator import PtySimulator
from hms_desktop.devices.sources import DEMO_PORT
from hms_desktop.domain.patient import Patient
from hms_desktop.services.data_check import check_data
from hms_desktop.ui.context import AppContext
from hms_desktop.ui.monitor import create_tab
from hms_desktop.ui.monitor.station import start_station
from tests.ui.monitor_helpers import monitor_context


@pytest.fixture
def ctx(data_dir: Path, qtbot: QtBot) -> Iterator[AppContext]:
    with monitor_context(data_dir, "nurse.start") as context:
        yield context


@pytest.fixture
def sim() -> Iterator[PtySimulator]:
    simulator = PtySimulator("cms50-v7", spo2=93, pr=64)
    simulator.start()
    yield simulator
    simulator.stop()


def register(ctx: AppContext, qtbot: QtBot) -> str:
    patient = ctx.services.patients.register(Patient(
        given_name="Ada", family_name="Lovelace", date_of_birth=date(1950, 12, 10), phone="+447911123456"))
    return str(patient.id)


def named_child(parent: QWidget, name: str) -> Any:
    found = [w for w in parent.findChildren(QWidget) if w.accessibleName() == name]
    assert len(found) == 1, f"{len(found)} widgets named {name!r}"
    return found[0]


def open_dialog(qtbot: QtBot, window: QWidget, button: QAbstractButton) -> QDialog:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialogs = [w for w in window.findChildren(QDialog)
               if w.accessibleName() == "start monitoring dialog" and w.isVisible()]
    assert len(dialogs) == 1
    return dialogs[0]


def fill_and_press_ok(qtbot: QtBot, dialog: QDialog, *, bed: str, port: str, patient: str,
                      protocol: str | None = None) -> None:
    bed_box: QComboBox = named_child(dialog, "bed")
    bed_box.setCurrentIndex(bed_box.findText(bed))
    port_box: QComboBox = named_child(dialog, "device port")
    port_box.lineEdit().clear()
    qtbot.keyClicks(port_box.lineEdit(), port)
    if protocol is not None:
        named_child(dialog, "device protocol").setCurrentText(protocol)
    field: QLineEdit = named_child(dialog, "patient id")
    field.clear()
    qtbot.keyClicks(field, patient)
    box: QDialogButtonBox = named_child(dialog, "start monitoring buttons")
    qtbot.mouseClick(box.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)


def test_start_monitoring_dialog_streams_the_bed_from_a_real_pty(ctx: AppContext, qtbot: QtBot,
                                                                 sim: PtySimulator) -> None:
    patient_id = register(ctx, qtbot)
    tab = create_tab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    dialog = open_dialog(qtbot, tab, named_child(tab, "start monitoring"))
    assert named_child(dialog, "device port").currentText() == ""  # no /dev/ttyS0 default
    # "detect automatically" (the default) listens to the pty and finds cms50-v7
    fill_and_press_ok(qtbot, dialog, bed="Bed 2", port=sim.port, patient=patient_id.lower())
    controller = ctx.monitor_controller
    bed = controller.monitors["BED02"]
    qtbot.waitUntil(lambda: bed.numerics.spo2 == 93 and bed.numerics.pulse_rate == 64, timeout=20000)
    session = ctx.services.monitoring.live_session("BED02")
    assert session is not None
    assert (session.patient_id, session.port, session.protocol) == (patient_id, sim.port, "cms50-v7")
    assert bed.device_state == "streaming"
    controller.end_monitoring("BED02")
    ctx.writer.submit(lambda: None).result()
    report = check_data(ctx.data_dir)
    assert report.clean, report.problems


def test_an_unknown_patient_is_refused_in_plain_words(ctx: AppContext, qtbot: QtBot) -> None:
    tab = create_tab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    dialog = open_dialog(qtbot, tab, named_child(tab, "start monitoring"))
    fill_and_press_ok(qtbot, dialog, bed="Bed 1", port=DEMO_PORT, patient="PAT000999")
    assert dialog.isVisible()
    assert named_child(dialog, "start monitoring error").text().startswith(
        "Patient: there is no patient PAT000999")
    assert ctx.services.monitoring.live_session("BED01") is None


def test_the_kiosk_starts_monitoring_and_edits_alarm_limits(ctx: AppContext, qtbot: QtBot) -> None:
    patient_id = register(ctx, qtbot)
    kiosk = start_station(ctx, [], full_screen=False)
    qtbot.addWidget(kiosk)
    kiosk.show_bed("BED01")
    dialog = open_dialog(qtbot, kiosk, named_child(kiosk, "start monitoring on this bed"))
    fill_and_press_ok(qtbot, dialog, bed="Bed 1", port=DEMO_PORT, patient=patient_id)
    controller = ctx.monitor_controller
    qtbot.waitUntil(lambda: controller.monitors["BED01"].numerics.spo2 is not None, timeout=10000)

    limits_button = named_child(kiosk, "alarm limits")
    qtbot.waitUntil(limits_button.isEnabled, timeout=3000)
    qtbot.mouseClick(limits_button, Qt.MouseButton.LeftButton)
    limits = [w for w in kiosk.findChildren(QDialog) if w.accessibleName() == "alarm limits dialog"
              and w.isVisible()]
    assert len(limits) == 1
    named_child(limits[0], "spo2 low").setValue(86)
    box: QDialogButtonBox = named_child(limits[0], "alarm limits buttons")
    qtbot.mouseClick(box.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert controller.monitors["BED01"].engine.limits.spo2_low == 86
    qtbot.waitUntil(lambda: ctx.services.monitoring.limits_for(patient_id).spo2_low == 86, timeout=3000)
