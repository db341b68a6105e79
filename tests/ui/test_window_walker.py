"""The window walker (issue 13 item 2 and its tests section): every tab, Record page and
dialog on a demo folder at 1366×768 and at a logical 960×540 (1920×1080 at 2×; also run
with QT_SCALE_FACTOR=2 in a subprocess). Asserts that no visible control lies outside its
window, that a tab fits without scrolling (a Record page fits across), that no two visible
controls or menu titles share an Alt key, and that every input has an accessible name.
The checks themselves are in tests/ui/walker.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from hms_desktop.domain.allergy_check import AllergyCheck, AllergyConflict, CheckOutcome
from hms_desktop.domain.record import SECTIONS, Allergy
from hms_desktop.services.session import close_session, open_session
from hms_desktop.ui.main_window import MainWindow
from hms_desktop.ui.shell.session_controller import SessionController
from hms_desktop.ui.shell.tabs import tab_page
from tests.ui.walker import SIZES, check_dialog, walk_tab

ROOT = Path(__file__).resolve().parents[2]
TABS = ["Patients", "Record", "Schedule", "Monitor"]


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("walker") / "data"
    close_session(open_session(folder, demo_if_empty=True, demo_patients=30, demo_seed=5))
    return folder


@pytest.fixture(scope="module")
def window(qapp: QApplication, demo_folder: Path) -> Iterator[MainWindow]:
    controller = SessionController(demo_folder, demo_if_empty=False)
    main = MainWindow(controller, qsettings=QSettings(str(demo_folder.parent / "ui.ini"), QSettings.Format.IniFormat),
                      relaunch=lambda _f: None)
    main.show()
    created: list[bool] = []
    loop = QEventLoop()
    main.sig_tabs_created.connect(lambda: (created.append(True), loop.quit()))
    QTimer.singleShot(60_000, loop.quit)  # a start-up that never finishes fails below, not hangs
    controller.start()
    loop.exec()
    assert created, "the main window did not finish start-up"
    assert main.ctx is not None
    main.ctx.navigation.open_patient(main.ctx.services.patients.ids()[0])
    QApplication.processEvents()
    yield main
    main.close()


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("title", TABS)
@pytest.mark.slow
def test_every_tab_and_record_page_fits(window: MainWindow, title: str, size: str) -> None:
    problems = walk_tab(window, title, SIZES[size])
    assert not problems, "\n".join(problems)


def _tab(window: MainWindow, title: str) -> Any:
    window.show_tab(title)
    return tab_page(window.tabs.currentWidget())


def _record_page(window: MainWindow, title: str) -> Any:
    return _tab(window, "Record").show_page(title)


def _patients(action: str) -> Callable[[MainWindow], QWidget]:
    def open_it(window: MainWindow) -> QWidget:
        tab = _tab(window, "Patients")
        tab.table.selectRow(0)
        getattr(tab, action)()
        return tab.dialog

    return open_it


def _entry(title: str) -> Callable[[MainWindow], QWidget]:
    return lambda window: _record_page(window, title).add_entry()


def _warning(window: MainWindow) -> QWidget:
    from hms_desktop.ui.record.medications_page import AllergyWarningDialog

    check = AllergyCheck("Amoxicillin 500 mg capsules", CheckOutcome.CONFLICT, (
        AllergyConflict("ALG000001", "Penicillin", "anaphylaxis with a long description of what happened " * 3,
                        "life-threatening", "same class (penicillins)"),))
    return AllergyWarningDialog(check, _record_page(window, "Medications"))


def _record_history(window: MainWindow) -> QWidget:
    from hms_desktop.storage.table import Version
    from hms_desktop.ui.record.history_dialog import HistoryDialog

    allergy = Allergy(id="ALG000001", patient_id="PAT000001", substance="Penicillin", severity="severe",
                      noted_on=date(2020, 1, 1))
    return HistoryDialog(Allergy, "History of ALG000001", [Version(1, "insert", None, "dr", allergy)],
                         _record_page(window, "Allergies"))


def _care(name: str) -> Callable[[MainWindow], QWidget]:
    def open_it(window: MainWindow) -> QWidget:
        from hms_desktop.ui.care.departments_dialog import DepartmentsDialog
        from hms_desktop.ui.care.overdue_dialog import OverdueDialog
        from hms_desktop.ui.care.ranges_dialog import RangesDialog
        from hms_desktop.ui.care.referrals_window import ReferralsWindow
        from hms_desktop.ui.care.wearable_import import WearableImportDialog

        ctx = window.ctx
        page = _record_page(window, "Referrals")
        return {"ranges": lambda: RangesDialog(ctx, page), "departments": lambda: DepartmentsDialog(ctx, page),
                "overdue": lambda: OverdueDialog(ctx, page), "referrals": lambda: ReferralsWindow(ctx, page),
                "wearable import": lambda: WearableImportDialog(ctx, ctx.current_patient.patient_id, page),
                }[name]()

    return open_it


def _schedule(name: str) -> Callable[[MainWindow], QWidget]:
    def open_it(window: MainWindow) -> QWidget:
        from hms_desktop.ui.schedule.rooms_dialog import RoomsDialog

        tab = _tab(window, "Schedule")
        if name == "rooms":
            return RoomsDialog(window.ctx, parent=tab)
        return tab.appointment_actions.open_booking() if name == "booking" else tab.appointment_actions.open_providers()

    return open_it


DIALOGS: dict[str, Callable[[MainWindow], QWidget]] = {
    "new patient": _patients("new_patient"), "edit patient": _patients("edit_patient"),
    "patient history": _patients("show_history"), "patient status": _patients("change_status"),
    "merge patients": _patients("merge_patient"),
    **{f"add {info.title.lower()}": _entry(info.title) for info in SECTIONS.values()},
    "allergy warning": _warning, "record history": _record_history,
    "booking": _schedule("booking"), "providers": _schedule("providers"), "rooms": _schedule("rooms"),
    **{name: _care(name) for name in ("ranges", "departments", "overdue", "referrals", "wearable import")},
    "clinic settings": lambda w: w.edit_settings(), "check data": lambda w: w.check_data(),
    "quarantine": lambda w: w.show_quarantine(), "about": lambda w: w.show_about(),
    "audit log": lambda w: w.audit_menu.show(),
}


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("name", list(DIALOGS))
def test_every_dialog_fits(window: MainWindow, name: str, size: str) -> None:
    window.resize(*SIZES[size])
    dialog = DIALOGS[name](window)
    assert dialog is not None, name
    try:
        problems = check_dialog(dialog, SIZES[size])
    finally:
        dialog.close()
        dialog.deleteLater()
        QApplication.processEvents()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("title", TABS)
@pytest.mark.slow
def test_every_tab_fits_at_scale_factor_2(demo_folder: Path, tmp_path: Path, title: str) -> None:
    """A real QT_SCALE_FACTOR=2 process (fonts and metrics at 2×), on a copy of the folder."""
    import shutil

    folder = tmp_path / "data"
    shutil.copytree(demo_folder, folder, ignore=shutil.ignore_patterns(".lock", "*.lock"))
    env = {**os.environ, "QT_SCALE_FACTOR": "2", "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "tests.ui.walker", str(folder), title], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["scale"] == 2.0
    assert not report["problems"], "\n".join(report["problems"])


@pytest.mark.slow
def test_the_longest_names_allowed_never_widen_the_window(window: MainWindow, qtbot: Any) -> None:
    """Issue 13 item 1: a 480-character family name made the Record window 7,867 px wide. Names
    now stop at 100 characters (field_limits) and every label of user text elides, whole in
    its tooltip."""
    from hms_desktop.domain.patient import Patient

    given, family = "Maximiliana-" + "G" * 88, "Featherstonehaugh-" + "F" * 82
    assert len(given) == len(family) == 100
    saved: list[Patient] = []
    window.ctx.run(window.ctx.services.patients.register,
                   Patient(given_name=given, family_name=family, date_of_birth=date(2001, 2, 3),
                           address="Flat 1, " + "Long Street, " * 30), on_done=saved.append)
    qtbot.waitUntil(lambda: bool(saved), timeout=10000)
    window.ctx.navigation.open_patient(saved[0].id)
    for size in SIZES.values():
        for title in ("Patients", "Record", "Schedule"):
            problems = walk_tab(window, title, size)
            assert not problems, "\n".join(problems)
            assert (window.width(), window.height()) == size
    identity = _tab(window, "Record").header.identity
    assert identity.is_elided() and family.upper() in identity.toolTip()
