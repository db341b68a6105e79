"""Settings and Check data dialogs, driven through the main window's menus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit
from pytestqt.qtbot import QtBot

from hms_desktop.services.settings_file import settings_path
from hms_desktop.ui.shell.check_dialog import CheckDialog
from hms_desktop.ui.shell.settings_dialog import SettingsDialog
from tests.ui.shell_helpers import *  # noqa: F403 (pytest fixtures make_window, shell_tables)
from tests.ui.shell_helpers import find


def test_settings_dialog_refuses_a_bad_region_then_saves(make_window, data_dir: Path, qtbot: QtBot) -> None:
    window = make_window()
    window.action_settings.trigger()
    dialog = window.findChild(SettingsDialog)
    assert dialog is not None and dialog.isVisible()
    name = find(dialog, "Clinic name")
    region = find(dialog, "Phone default region")
    name.setText("Riverside Surgery")
    region.setCurrentText("ZZ")
    qtbot.keyClick(name, Qt.Key.Key_Return)  # keyboard: Enter saves
    assert dialog.isVisible()
    assert "phone_region" in find(dialog, "Settings error").text()
    assert not settings_path(data_dir).exists()  # nothing half-saved

    region.setCurrentText("ie")
    with qtbot.waitSignal(window.ctx.sig_settings_changed, timeout=3000):
        qtbot.keyClick(name, Qt.Key.Key_Return)
    saved = json.loads(settings_path(data_dir).read_text(encoding="utf-8-sig"))
    assert saved["clinic_name"] == "Riverside Surgery" and saved["phone_region"] == "IE"
    assert "Riverside Surgery" in window.windowTitle()
    assert window.ctx.settings.phone_region == "IE"


def test_settings_dialog_names_a_blank_clinic_name(qtbot: QtBot) -> None:
    from hms_desktop.domain.clinic_settings import ClinicSettings

    dialog = SettingsDialog(ClinicSettings())
    qtbot.addWidget(dialog)
    find(dialog, "Clinic name").setText("  ")
    dialog.accept()
    assert dialog.result_settings is None
    assert find(dialog, "Settings error").text().startswith("clinic_name:")


def test_damaged_settings_file_is_shown_and_defaults_used(make_window, data_dir: Path) -> None:
    settings_path(data_dir).write_text('{"time_zone": "Atlantis/Capital"}', encoding="utf-8")
    window = make_window()
    notice = find(window, "Settings problem")
    assert notice.isVisible() and "time_zone" in notice.toolTip()
    assert window.ctx.settings.time_zone == "Europe/London"
    assert "Atlantis" in settings_path(data_dir).read_text()  # the user's file is left alone


@pytest.mark.slow
def test_check_data_runs_the_check_command_on_this_folder(make_window, qtbot: QtBot) -> None:
    window = make_window()
    window.action_check.trigger()
    dialog = window.findChild(CheckDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.exit_code is not None, timeout=20000)
    output = find(dialog, "Check output")
    assert isinstance(output, QPlainTextEdit)
    assert dialog.exit_code == 0, output.toPlainText()
    assert "shell_notes: 0 row(s)" in output.toPlainText()
    result = find(dialog, "Check result")
    assert isinstance(result, QLabel) and "clean" in result.text()
