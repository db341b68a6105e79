"""The interop entries of the real main window: scan to find, labels, FHIR export/import."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from hms_desktop.domain.patient import Patient
from hms_desktop.domain.record import Allergy, AllergySeverity, Section
from hms_desktop.interop.fhir_export import patient_bundle, write_json
from hms_desktop.interop.labels import LabelKind
from hms_desktop.services.session import close_session, open_session
from hms_desktop.storage import Store
from hms_desktop.storage.patients import PATIENTS
from hms_desktop.storage.record import SECTION_TABLES
from tests.ui.shell_helpers import *  # noqa: F403 (pytest fixtures make_window, shell_tables)
from tests.ui.shell_helpers import find


def _seed(folder: Path, *, allergy: bool = True) -> str:
    session = open_session(folder)
    try:
        services = session.services
        pid = services.patients.register(Patient(given_name="Ada", family_name="Lovelace",
                                                 date_of_birth="1984-03-07", sex="female")).id
        if allergy:
            services.record.add(Section.ALLERGIES, Allergy(patient_id=pid, substance="Penicillin",
                                                           severity=AllergySeverity.SEVERE))
        return pid
    finally:
        close_session(session)


def test_a_scan_anywhere_opens_the_patient(make_window, data_dir: Path, qtbot: QtBot) -> None:
    pid = _seed(data_dir)
    window = make_window(data_dir)
    edit = QLineEdit(window)  # a field with focus, as the patient search box would be
    edit.setObjectName("scratch")
    edit.setAccessibleName("scratch field")
    edit.show()
    edit.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is edit)
    edit.setText("note: ")
    qtbot.keyClicks(edit, pid)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert window.ctx.current_patient.patient_id == pid
    assert window.tabs.tabText(window.tabs.currentIndex()) == "Record"
    assert edit.text() == "note: "  # the scanned characters were taken back out


def test_typing_an_unknown_id_fast_says_so(make_window, data_dir: Path, qtbot: QtBot) -> None:
    _seed(data_dir)
    window = make_window(data_dir)
    window.activateWindow()
    target = QApplication.focusWidget() or window  # keys go where the focus is, like a scanner's
    qtbot.keyClicks(target, "PAT999999")
    qtbot.keyClick(target, Qt.Key.Key_Return)
    assert window.ctx.current_patient.patient_id == ""
    assert "Scanned PAT999999: no such patient" in window.statusBar().currentMessage()


def test_wristband_from_the_file_menu_saves_a_pdf(make_window, data_dir: Path, tmp_path: Path) -> None:
    pid = _seed(data_dir)
    window = make_window(data_dir)
    window.ctx.current_patient.select(pid)
    dialog = window.interop.print_label(LabelKind.WRISTBAND)
    assert find(dialog, "Label or wristband").currentText() == "Wristband"
    assert find(dialog, "Barcode").currentText() == "QR code"
    path = dialog.save_pdf(tmp_path / "band.pdf")
    from pypdf import PdfReader

    text = " ".join(PdfReader(path).pages[0].extract_text().split())
    assert pid in text and "ALLERGIES: Penicillin (severe)" in text


@pytest.mark.slow
def test_fhir_bundle_import_previews_then_adds_to_the_chosen_record(
        make_window, data_dir: Path, tmp_path: Path, qtbot: QtBot) -> None:
    source = tmp_path / "other clinic"
    pid = _seed(source)
    session = open_session(source)
    bundle = tmp_path / "ada.json"
    write_json(bundle, patient_bundle(session.services, pid))
    close_session(session)
    _seed(data_dir, allergy=False)  # the same person is already registered here
    window = make_window(data_dir)
    window.interop.import_fhir_bundle(bundle)
    qtbot.waitUntil(lambda: _dialog(window) is not None, timeout=10000)
    dialog = _dialog(window)
    target = find(dialog, "Add to")
    assert target.currentData() == "PAT000001"  # the likely existing record is offered first
    details = find(dialog, "What will be added")
    lines = [details.item(i).text() for i in range(details.count())]
    assert "Add: 1 allergies" in lines
    with qtbot.waitSignal(dialog.accepted, timeout=10000):
        qtbot.mouseClick(find(dialog, "Import"), Qt.MouseButton.LeftButton)
    assert window.ctx.current_patient.patient_id == "PAT000001"
    window.close()
    store = Store(data_dir, read_only=True)
    try:
        assert len(store.table(PATIENTS)) == 1  # no second Ada
        assert [a.substance for a in store.table(SECTION_TABLES[Section.ALLERGIES]).all()] == \
            ["Penicillin"]
    finally:
        store.close()


def _dialog(window):
    from hms_desktop.ui.interop.fhir_dialogs import FhirImportDialog

    found = [d for d in window.findChildren(FhirImportDialog) if d.isVisible()]
    return found[0] if found else None


def test_record_header_offers_label_and_wristband(make_window, data_dir: Path, qtbot: QtBot) -> None:
    from PySide6.QtGui import QAction

    from hms_desktop.ui.interop.label_dialog import LabelDialog

    pid = _seed(data_dir)
    window = make_window(data_dir)
    window.ctx.navigation.open_patient(pid)
    button = find(window, "Labels and FHIR export")
    wristband = next(a for a in button.menu().findChildren(QAction)
                     if a.objectName() == "action_record_wristband")
    wristband.trigger()
    dialogs = [d for d in window.findChildren(LabelDialog) if d.isVisible()]
    assert len(dialogs) == 1 and dialogs[0].content.patient_id == pid
    assert find(dialogs[0], "Label or wristband").currentText() == "Wristband"
    dialogs[0].close()


def test_a_scan_into_another_window_is_left_to_it(make_window, data_dir: Path, qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QDialog, QVBoxLayout

    pid = _seed(data_dir)
    window = make_window(data_dir)
    dialog = QDialog(window)  # e.g. a dialog that catches scans itself
    dialog.setAccessibleName("other dialog")
    edit = QLineEdit(dialog)
    edit.setAccessibleName("patient field")
    QVBoxLayout(dialog).addWidget(edit)
    dialog.show()
    dialog.activateWindow()
    edit.setFocus()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog and QApplication.focusWidget() is edit)
    qtbot.keyClicks(edit, pid)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert edit.text() == pid  # untouched: the dialog's own handling decides
    assert window.ctx.current_patient.patient_id == ""
    dialog.close()
