"""The audit viewer, driven as an administrator would: filters typed into the real widgets,
Enter to search (on a worker thread), Enter on a row for the record's history, export to a
real file — which is then found in the access log after the folder is reopened."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QTableView, QWidget
from pytestqt.qtbot import QtBot

from hms_desktop.domain.accounts import AccessEvent, Role, SignedInUser
from hms_desktop.domain.patient import Patient
from hms_desktop.services.audit_log import AuditFilter
from hms_desktop.services.session import Session, close_session, open_session
from hms_desktop.storage import Store
from hms_desktop.ui.audit.viewer import AuditViewerDialog
from tests.ui.layout_check import outside_controls
from tests.ui.mnemonics import duplicated_mnemonics

CLINICIAN = SignedInUser("ann", "Dr Ann Smith", frozenset({Role.CLINICIAN}))
RECEPTION = SignedInUser("rita", "Rita Desk", frozenset({Role.RECEPTIONIST}))
ADMIN = SignedInUser("adam", "Adam Admin", frozenset({Role.ADMINISTRATOR}))


@pytest.fixture
def session(data_dir: Path) -> Iterator[Session]:
    """Rita registers two patients, Ann opens one and changes its address; then a checkpoint."""
    opened = open_session(data_dir)
    services = opened.services
    opened.sign_in(RECEPTION)
    ada = services.patients.register(Patient(given_name="Ada", family_name="Lovelace",
                                             date_of_birth=date(1980, 1, 2), address="Old Street 1"))
    services.patients.register(Patient(given_name="Alan", family_name="Turing", date_of_birth=date(1954, 6, 7)))
    opened.sign_in(CLINICIAN)
    services.patients.note_opened(ada.id)
    services.patients.update(ada.id, {"address": "New Road 2"})
    opened.store.checkpoint()
    opened.sign_in(ADMIN)
    yield opened
    close_session(opened)


def widget(dialog: QWidget, cls: type, accessible: str):  # type: ignore[no-untyped-def]
    [found] = [w for w in dialog.findChildren(cls) if w.accessibleName() == accessible]
    return found


def search(dialog: AuditViewerDialog, qtbot: QtBot, field: str, text: str) -> None:
    edit = widget(dialog, QLineEdit, field)
    edit.setFocus()
    qtbot.keyClicks(edit, text)
    with qtbot.waitSignal(dialog._runner.sig_done, timeout=20_000):
        qtbot.keyClick(edit, Qt.Key.Key_Return)  # the default button: Search


def shown(dialog: AuditViewerDialog) -> list[tuple[str, str, str]]:
    table = widget(dialog, QTableView, "Audit log rows")
    model = table.model()
    return [(model.index(r, 1).data(), model.index(r, 2).data(), model.index(r, 3).data())
            for r in range(model.rowCount())]


@pytest.fixture
def dialog(session: Session, qtbot: QtBot) -> AuditViewerDialog:
    viewer = AuditViewerDialog(session.services.audit)
    qtbot.addWidget(viewer)
    viewer.show()
    return viewer


def test_filter_by_patient_shows_who_opened_and_changed_it(dialog: AuditViewerDialog, qtbot: QtBot) -> None:
    search(dialog, qtbot, "Patient ID", "pat000001")
    rows = shown(dialog)
    assert ("ann", "opened record", "PAT000001") in rows
    assert ("rita", "inserted patients", "PAT000001") in rows
    assert ("ann", "updated patients", "PAT000001") in rows
    assert all(patient == "PAT000001" for _, _, patient in rows)  # not Alan's registration


def test_filter_by_user_and_by_date(dialog: AuditViewerDialog, qtbot: QtBot) -> None:
    search(dialog, qtbot, "User", "rita")
    assert {user for user, _, _ in shown(dialog)} == {"rita"}
    assert len([r for r in shown(dialog) if r[1] == "inserted patients"]) == 2
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    dialog.start.setDate(tomorrow)
    dialog.end.setDate(tomorrow + timedelta(days=3))
    with qtbot.waitSignal(dialog._runner.sig_done, timeout=20_000):
        dialog.search_button.click()
    assert shown(dialog) == []


def test_enter_on_a_row_opens_the_record_as_it_was(dialog: AuditViewerDialog, qtbot: QtBot) -> None:
    search(dialog, qtbot, "Patient ID", "PAT000001")
    table = widget(dialog, QTableView, "Audit log rows")
    row = next(r for r, (_, action, _) in enumerate(shown(dialog)) if action == "inserted patients")
    table.setFocus()
    table.setCurrentIndex(table.model().index(row, 0))
    qtbot.keyClick(table, Qt.Key.Key_Return)  # read on the worker thread, then shown
    qtbot.waitUntil(lambda: dialog.history_dialog is not None and dialog.history_dialog.isVisible(),
                    timeout=20_000)
    history = dialog.history_dialog
    assert history is not None
    versions = history.versions
    assert versions.count() == 2 and "by rita" in versions.item(0).text() and "by ann" in versions.item(1).text()
    versions.setCurrentRow(0)  # the first version: before Ann changed the address
    fields = widget(history, QPlainTextEdit, "Record as it was").toPlainText()
    assert "Old Street 1" in fields and "New Road 2" not in fields


@pytest.mark.slow
def test_export_writes_what_is_shown_and_is_itself_logged(dialog: AuditViewerDialog, session: Session,
                                                          qtbot: QtBot, tmp_path: Path) -> None:
    search(dialog, qtbot, "User", "ann")
    target = tmp_path / "audit export.csv"
    dialog.export_to(target)
    with open(target, encoding="utf-8-sig", newline="") as handle:
        exported = list(csv.DictReader(handle))
    assert [(r["user"], r["action"], r["patient_id"]) for r in exported] == shown(dialog)
    close_session(session)
    store = Store(session.data_dir, read_only=True)
    try:
        log = store.day_log("access", AccessEvent).read(datetime(2000, 1, 1, tzinfo=UTC),
                                                        datetime(2100, 1, 1, tzinfo=UTC))
    finally:
        store.close()
    assert any(e.user == "adam" and e.action == "exported" and "audit export.csv" in e.detail for e in log)


def test_only_an_administrator_may_look(session: Session, qtbot: QtBot) -> None:
    session.sign_in(CLINICIAN)
    with pytest.raises(PermissionError):
        session.services.audit.search(AuditFilter())  # a direct call, whoever makes it
    viewer = AuditViewerDialog(session.services.audit)
    qtbot.addWidget(viewer)
    viewer.show()
    with qtbot.waitSignal(viewer._runner.sig_failed, timeout=20_000):
        viewer.search_button.click()
    assert "may not view the audit log" in viewer.status.text()
    assert shown(viewer) == [] and not viewer.export_button.isEnabled()


def test_fits_1366x768_every_input_is_named_and_mnemonics_are_unique(dialog: AuditViewerDialog) -> None:
    assert dialog.width() <= 1366 and dialog.height() <= 768
    assert outside_controls(dialog) == []
    assert not duplicated_mnemonics(dialog)
    unnamed = [w.objectName() or type(w).__name__ for w in dialog.findChildren(QWidget)
               if w.objectName().startswith("audit_") and not w.accessibleName()]
    assert unnamed == []
