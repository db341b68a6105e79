"""Registration form polish: labels tied to their fields, the duplicate reasons readable."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget

from hms_desktop.domain.patient import Patient
from hms_desktop.ui.patients.form import LABELS, PatientFormDialog
from tests.ui.patients.conftest import PatientsTestContext
from tests.ui.patients.helpers import find, show_active, type_text


def open_form(ctx: PatientsTestContext, qtbot) -> PatientFormDialog:  # noqa: ANN001
    dialog = PatientFormDialog(ctx)
    show_active(qtbot, dialog)
    return dialog


def test_labels_show_no_stray_ampersand_and_alt_g_reaches_given_name(
        ctx: PatientsTestContext, qtbot) -> None:  # noqa: ANN001
    """'&Given name' on a row of several widgets had no buddy: Qt printed the '&' and Alt+G did nothing."""
    dialog = open_form(ctx, qtbot)
    stray = [label.text() for label in dialog.findChildren(QLabel)
             if label.buddy() is None and "&" in label.text()]
    assert stray == []
    for field, label in LABELS.items():  # each caption is tied to its field for screen readers
        assert find(dialog, f"{label} label", QLabel).buddy() is dialog.inputs[field]
    find(dialog, "Family name", QLineEdit).setFocus()
    qtbot.keyClick(dialog, Qt.Key.Key_G, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: find(dialog, "Given name", QLineEdit).hasFocus(), timeout=2000)


def test_duplicate_reasons_are_shown_whole_without_sideways_scrolling(
        ctx: PatientsTestContext, qtbot) -> None:  # noqa: ANN001
    existing = ctx.services.patients.register(Patient(
        given_name="Françoise", family_name="Hughes", date_of_birth=date(1990, 11, 29)))
    dialog = open_form(ctx, qtbot)
    type_text(qtbot, find(dialog, "Given name", QLineEdit), "Françoise")
    type_text(qtbot, find(dialog, "Family name", QLineEdit), "Hughes")
    type_text(qtbot, find(dialog, "Date of birth", QLineEdit), "29/11/1990")
    dup_list = find(dialog, "Possible duplicates", QListWidget)
    qtbot.waitUntil(lambda: dup_list.count() == 1 and dup_list.isVisible(), timeout=3000)
    item = dup_list.item(0)
    assert existing.id in item.text() and "name" in item.toolTip()
    qtbot.waitUntil(lambda: dup_list.horizontalScrollBar().maximum() == 0, timeout=2000)
    assert dup_list.visualItemRect(item).width() <= dup_list.viewport().width()
