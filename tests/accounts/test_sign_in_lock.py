"""Sign-in at start, idle lock, lock now, unlock, switch user and emergency access, through
the real window on a real demo folder (issue 14 items 2, 3 and 5)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from hms_desktop.devices.sources import SyntheticOximeter
from hms_desktop.domain.alarm_limits import AlarmKind, AlarmLimits, Priority
from hms_desktop.domain.record import SECTIONS, Section
from hms_desktop.services.accounts import DEMO_ACCOUNTS
from hms_desktop.storage import Store
from hms_desktop.storage.patients import PATIENTS
from hms_desktop.storage.record import SECTION_TABLES
from hms_desktop.ui.record.tab import RecordTab
from hms_desktop.ui.shell.emergency_dialog import EmergencyAccessDialog
from tests.accounts.gate_helpers import access_log, named, sign_in, visible_text

PASSWORDS = {username: password for username, _name, _role, password in DEMO_ACCOUNTS}
FAST = AlarmLimits(satseconds=0, spo2_delay_s=1, pr_delay_s=1)


@pytest.mark.slow
def test_idle_lock_hides_every_patient_name_while_alarms_keep_sounding(
        gated, qtbot: QtBot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window, gate, sound, now = gated(tmp_path / "clinic", demo=True)
    families = _families(window)
    assert families
    # Before anyone signs in: the lock screen with the demo accounts, no tab, no name.
    text = visible_text()
    assert "Demo data only" in text and PASSWORDS["nurse"] in text
    assert not any(name in text for name in families)
    sign_in(qtbot, gate, "nurse", PASSWORDS["nurse"])
    assert window.ctx.services.access.user.username == "nurse"
    window.ctx.current_patient.select(window.ctx.store.table(PATIENTS).ids()[0])
    qtbot.waitUntil(lambda: any(name in visible_text() for name in families), timeout=20_000)  # the walk sees names
    beds = window.ctx.monitor_controller
    assert beds is not None
    patient = window.ctx.store.table(PATIENTS).ids()[0]
    beds.service.set_limits(patient, FAST.model_copy(update={"id": patient}))
    beds.ensure_bed("BED09")  # demo beds are busy with demo devices
    bed = next(b for b in beds.service.beds() if b.id == "BED09")
    beds.start_monitoring(bed.id, patient, "synthetic", "cms50-v7", source=SyntheticOximeter(spo2=97))
    qtbot.waitUntil(lambda: beds.monitors[bed.id].monitoring, timeout=10_000)

    now[0] += 5 * 60 + 1  # five idle minutes (the clinic default) on the gate's clock
    with qtbot.waitSignal(gate.sig_locked, timeout=5_000):
        pass
    assert not window.grab().isNull()
    locked_text = visible_text()
    assert not any(name in locked_text for name in families), "a patient name is visible while locked"
    # The bed desaturates while the screen is locked: it alarms, sounds and is listed by bed.
    sound.played.clear()
    beds.sources[bed.id].spo2 = 80  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: beds.monitors[bed.id].engine.alarm(AlarmKind.SPO2_LOW) is not None, timeout=15_000)
    qtbot.waitUntil(lambda: Priority.HIGH in sound.played or Priority.MEDIUM in sound.played, timeout=5_000)
    alarms = named(gate.lock_screen, QListWidget, "alarms")
    qtbot.waitUntil(lambda: any(bed.name in alarms.item(i).text() for i in range(alarms.count())), timeout=5_000)
    assert not any(name in visible_text() for name in families)
    numbers = named(gate.lock_screen, QLabel, "bed numbers")
    qtbot.waitUntil(lambda: any(line.startswith(bed.name) and "SpO2 80" in line
                                for line in numbers.text().splitlines()), timeout=5_000)
    alarms.setCurrentRow(next(i for i in range(alarms.count()) if bed.name in alarms.item(i).text()))
    qtbot.mouseClick(named(gate.lock_screen, QPushButton, "acknowledge alarm"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(b == bed.id and a.acknowledged_by == "lock screen (nurse)" for b, a in beds.alarms()),
                    timeout=5_000)
    # The same nurse unlocks; the window is as it was.
    sign_in(qtbot, gate, "nurse", PASSWORDS["nurse"])
    assert not gate.locked and window.ctx.current_patient.patient_id == patient
    # Signed out, nobody at the keyboard: a new alarm still sounds and can be acknowledged.
    gate.sign_out()
    qtbot.waitUntil(lambda: window.ctx.services.access.user.username == "(signed out)", timeout=5_000)
    sound.played.clear()
    beds.sources[bed.id].pulse_rate = 170  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: beds.monitors[bed.id].engine.alarm(AlarmKind.PR_HIGH) is not None, timeout=15_000)
    qtbot.waitUntil(lambda: bool(sound.played), timeout=5_000)
    alarms = named(gate.lock_screen, QListWidget, "alarms")
    qtbot.waitUntil(lambda: any(AlarmKind.PR_HIGH.label in alarms.item(i).text() for i in range(alarms.count())), timeout=5_000)
    alarms.setCurrentRow(next(i for i in range(alarms.count()) if AlarmKind.PR_HIGH.label in alarms.item(i).text()))
    qtbot.mouseClick(named(gate.lock_screen, QPushButton, "acknowledge alarm"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(b == bed.id and a.kind is AlarmKind.PR_HIGH and a.acknowledged_by == "lock screen"
                                for b, a in beds.alarms()), timeout=5_000)


@pytest.mark.slow
def test_lock_now_then_another_user_discards_the_first_users_dialogs_and_says_so(
        gated, qtbot: QtBot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "clinic"
    window, gate, _sound, _now = gated(folder, demo=True)
    sign_in(qtbot, gate, "clinician", PASSWORDS["clinician"])
    about = window.show_about()  # any dialog the first user left open
    assert about.isVisible()
    assert gate.action_lock.shortcut().toString() == "Ctrl+L"
    label = window.findChild(QAction, "action_print_label")
    assert label.isEnabled()
    gate.action_lock.trigger()
    assert gate.locked and not about.isVisible()
    assert not label.isEnabled()  # Ctrl+Shift+L cannot print the open patient's label behind the lock
    sign_in(qtbot, gate, "reception", PASSWORDS["reception"])
    assert label.isEnabled()
    assert not [w for w in QApplication.topLevelWidgets() if w.isVisible() and w.objectName() == "about"]
    # The receptionist's Record tab says which role it needs; emergency access opens it.
    patient = window.ctx.store.table(PATIENTS).ids()[0]
    window.ctx.current_patient.select(patient)
    window.show_tab("Record")
    assert "Needs the clinician or nurse role (view record)" in visible_text()
    assert gate.action_emergency.isEnabled()
    dialog = gate.emergency_access()
    assert isinstance(dialog, EmergencyAccessDialog)
    qtbot.mouseClick(named(dialog, QPushButton, "open the record under emergency access"), Qt.MouseButton.LeftButton)
    assert "at least 10 characters" in named(dialog, QLabel, "emergency access problem").text()
    qtbot.keyClicks(named(dialog, QPlainTextEdit, "reason for emergency access"), "patient collapsed in waiting room")
    with qtbot.waitSignal(window.sig_tabs_created, timeout=30_000):
        qtbot.mouseClick(named(dialog, QPushButton, "open the record under emergency access"),
                         Qt.MouseButton.LeftButton)
    assert "not available to you" not in visible_text()
    window.close()
    log = access_log(folder)
    assert any(e.action == "discarded unsaved input" and e.detail.startswith("clinician") for e in log)
    assert any(e.action == "emergency access" and e.user == "reception" and e.patient_id == patient
               and "collapsed" in e.detail for e in log)


def _families(window) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.family_name for p in window.ctx.store.table(PATIENTS).all()]


@pytest.mark.slow
def test_a_change_is_saved_under_the_signed_in_user_and_the_next_role_sees_why_it_cannot(
        gated, qtbot: QtBot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "clinic"
    window, gate, _sound, _now = gated(folder, demo=True)
    sign_in(qtbot, gate, "clinician", PASSWORDS["clinician"])
    patient = window.ctx.store.table(PATIENTS).ids()[0]
    window.ctx.navigation.open_patient(patient)
    record_tab = window.findChild(RecordTab)
    page = record_tab.show_page(SECTIONS[Section.ALLERGIES].title)
    qtbot.mouseClick(named(page, QPushButton, "Add allergies entry"), Qt.MouseButton.LeftButton)
    dialog = page.dialog
    dialog.set_value("substance", "Latex")
    dialog.set_value("reaction", "wheals")
    dialog.set_value("severity", "severe")
    qtbot.mouseClick(next(b for b in dialog.findChildren(QPushButton) if b.accessibleName() == "Save"
                          and b.isVisible()), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(e.substance == "Latex" for e in
                                window.ctx.services.record.entries(Section.ALLERGIES, patient)), timeout=10_000)
    gate.action_lock.trigger()
    sign_in(qtbot, gate, "nurse", PASSWORDS["nurse"])
    window.ctx.navigation.open_patient(patient)
    page: QWidget = window.findChild(RecordTab).show_page(SECTIONS[Section.ALLERGIES].title)
    add = named(page, QPushButton, "Add allergies entry")
    assert not add.isEnabled() and add.toolTip() == "Needs the clinician role (edit record)"
    window.close()
    store = Store(folder, read_only=True)
    try:
        table = store.table(SECTION_TABLES[Section.ALLERGIES])
        latex = next(e for e in table.all() if e.substance == "Latex")
        assert table.meta(latex.id).updated_by == "clinician"
    finally:
        store.close()
