"""The registration form: labels tied to their fields, the duplicate reasons readable."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget

from hms_desktop.domain.patient import Patient
from hms_desktop.ui.context import AppContext
from hms_desktop.ui.patients.form import LABELS, PatientFormDialog
from tests.ui.patients.helpers import find, show_active, type_text


def open_form(ctx: AppContext, qtbot) -> PatientFormDialog:  # noqa: ANN001
    dialog = PatientFormDialog(ctx)
    show_active(qtbot, dialog)
    return dialog


def test_labels_show_no_stray_ampersand_and_alt_g_reaches_given_name(
        ctx: AppContext, qtbot) -> None:  # noqa: ANN001
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
        ctx: AppContext, qtbot) -> None:  # noqa: ANN001
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


def test_every_field_has_its_own_alt_key_and_required_fields_are_marked(
        ctx: AppContext, qtbot) -> None:  # noqa: ANN001
    from hms_desktop.ui.common.mnemonics import mnemonic_of

    dialog = open_form(ctx, qtbot)
    keys = {}
    for field, label in LABELS.items():
        caption = find(dialog, f"{label} label", QLabel).text()
        key = mnemonic_of(caption)
        assert key, f"{label} has no Alt key"
        keys[field] = key
        assert caption.endswith(" *") == (field in ("given_name", "family_name", "date_of_birth")), caption
    assert len(set(keys.values())) == len(keys)
    assert find(dialog, "Required fields note", QLabel).text() == "* required"
    for field in ("email", "medical_history", "blood_group"):
        find(dialog, "Given name", QLineEdit).setFocus()
        qtbot.keyClick(dialog, keys[field], Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(lambda f=field: dialog.inputs[f].hasFocus(), timeout=2000)


def test_not_saved_line_clears_when_fixed_and_fields_keep_their_width(
        ctx: AppContext, qtbot) -> None:  # noqa: ANN001
    dialog = open_form(ctx, qtbot)
    family = find(dialog, "Family name", QLineEdit)
    type_text(qtbot, find(dialog, "Given name", QLineEdit), "Ada")
    type_text(qtbot, find(dialog, "Date of birth", QLineEdit), "10/12/1985")
    width = family.width()
    family.setText("Q" * 480)  # pasted: never cut silently, refused by name
    message = find(dialog, "Family name message", QLabel)
    assert message.text() == "Family name is too long: 480 characters, at most 100"
    qtbot.keyClick(family, Qt.Key.Key_Return)
    status = find(dialog, "Form status", QLabel)
    assert status.text() == "Not saved: Family name is too long: 480 characters, at most 100"
    qtbot.wait(10)
    assert family.width() == width  # the message sits under the field, not beside it
    type_text(qtbot, family, "Lovelace")
    assert status.text() == "" and message.text() == "" and not message.isVisible()
    assert list(ctx.services.patients.ids()) == []  # nothing was saved
