"""File ▸ Repair data folder… is an administrator's task, confirmed by whoever is signed in
(nobody types another person's name), and refused with the reason to anyone else."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QPushButton
from pytestqt.qtbot import QtBot

from hms_desktop.ui.shell.repair_dialog import RepairDialog
from tests.accounts.gate_helpers import named, sign_in


def _damaged_demo_folder(gated, folder: Path) -> None:  # type: ignore[no-untyped-def]
    window, *_ = gated(folder, demo=True)
    window.close()
    (folder / "allergies.csv").write_bytes(b"")  # emptied by accident


def _open_repair(qtbot: QtBot, window) -> RepairDialog:  # type: ignore[no-untyped-def]
    assert window.action_repair.isEnabled()
    window.action_repair.trigger()
    dialog = window.findChild(RepairDialog)
    assert dialog is not None
    steps = named(dialog, QListWidget, "What Repair will do")
    qtbot.waitUntil(lambda: "allergies.csv" in steps.item(0).text(), timeout=30_000)
    return dialog


@pytest.mark.slow
def test_the_signed_in_administrator_confirms_and_a_nurse_is_refused(gated, qtbot: QtBot,  # type: ignore[no-untyped-def]
                                                                      tmp_path: Path) -> None:
    folder = tmp_path / "data"
    _damaged_demo_folder(gated, folder)
    window, gate, _sound, _now = gated(folder)
    assert window.ctx.read_only

    sign_in(qtbot, gate, "nurse", "demo nurse on the ward")
    assert not window.action_repair.isEnabled()  # greyed, saying who may
    assert "administrator" in window.action_repair.toolTip().lower()
    # Behind the menu item the service refuses too (a dialog opened another way gets nowhere).
    window.repair_data()
    dialog = window.findChild(RepairDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: "allergies.csv" in named(dialog, QListWidget, "What Repair will do").item(0).text(),
                    timeout=30_000)
    name = named(dialog, QLineEdit, "Confirmed by")
    assert name.text() == "Nina Nurse (demo) (nurse)" and name.isReadOnly()
    qtbot.mouseClick(named(dialog, QPushButton, "Repair"), Qt.MouseButton.LeftButton)
    status = dialog.status_label
    assert isinstance(status, QLabel)
    qtbot.waitUntil(lambda: "Not repaired" in status.text(), timeout=30_000)
    assert "may not repair the data folder" in status.text()
    assert window.ctx.read_only and dialog.result_of_repair is None
    dialog.reject()

    gate.lock()
    sign_in(qtbot, gate, "admin", "demo administrator desk")
    dialog = _open_repair(qtbot, window)
    assert named(dialog, QLineEdit, "Confirmed by").text() == "Ada Admin (demo) (admin)"
    qtbot.mouseClick(named(dialog, QPushButton, "Repair"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_of_repair is not None, timeout=60_000)
    assert dialog.result_of_repair is not None and dialog.result_of_repair.by == "Ada Admin (demo) (admin)"
