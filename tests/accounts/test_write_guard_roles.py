"""The UI stops offering what the signed-in role cannot do, saying which role is needed."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from hms_desktop.domain.accounts import Permission, Role, SignedInUser
from hms_desktop.ui.shell.write_guard import WriteGuard

RECEPTIONIST = SignedInUser("rita", "Rita", frozenset({Role.RECEPTIONIST}))
CLINICIAN = SignedInUser("dr", "Dr", frozenset({Role.CLINICIAN}))


def test_controls_follow_the_signed_in_role_and_the_read_only_state(qtbot: QtBot) -> None:
    guard = WriteGuard()
    add_note = QPushButton("&Add note")
    add_note.setToolTip("Write a clinical note")
    qtbot.addWidget(add_note)
    merge = QAction("&Merge…")
    guard.register(add_note, needs=Permission.EDIT_RECORD)
    guard.register(merge, needs=Permission.MERGE_PATIENTS)
    assert add_note.isEnabled() and merge.isEnabled()  # the system actor before anyone signs in

    guard.set_user(RECEPTIONIST)
    assert not add_note.isEnabled() and not merge.isEnabled()
    assert add_note.toolTip() == "Needs the clinician role (edit record)"
    assert merge.toolTip() == "Needs the administrator role (merge patients)"
    add_note.setEnabled(True)  # a tab re-enabling it for a new selection does not win
    assert not add_note.isEnabled()

    guard.set_user(CLINICIAN)
    assert add_note.isEnabled() and add_note.toolTip() == "Write a clinical note"
    assert not merge.isEnabled()

    guard.set_read_only("the folder is open in another window")
    assert not add_note.isEnabled() and add_note.toolTip().startswith("Read-only:")
    guard.set_read_only("")
    assert add_note.isEnabled() and not merge.isEnabled()


def test_a_new_note_is_authored_by_the_signed_in_clinician_with_registration() -> None:
    from types import SimpleNamespace

    from hms_desktop.domain.accounts import SYSTEM_USER
    from hms_desktop.ui.record.section_page import current_user

    okafor = SignedInUser("dr.okafor", "Dr Ngozi Okafor", frozenset({Role.CLINICIAN}), "GMC 7654321")
    assert current_user(SimpleNamespace(user=okafor)) == "Dr Ngozi Okafor (GMC 7654321)"
    assert current_user(SimpleNamespace(user=SYSTEM_USER)) not in ("", "system")  # the OS user
