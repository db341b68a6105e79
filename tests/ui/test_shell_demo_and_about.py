"""Demo data is unmistakable (a banner while the folder holds it) and removable (File ▸ Remove
demo data, refused once something real was added); Help ▸ About says what the program is and
is not. Driven through the real main window on real folders, read back after reopening."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from hms_desktop.domain.patient import Patient
from hms_desktop.services.session import close_session, open_session
from tests.ui.shell_helpers import *  # noqa: F403 (pytest fixtures make_window, shell_tables)
from tests.ui.shell_helpers import find


def demo_window(make_window, data_dir: Path, relaunched: list[Path]):  # noqa: ANN001, ANN201
    return make_window(data_dir, demo_if_empty=True, demo_patients=12, demo_seed=3, relaunch=relaunched.append)


def message_box(window, name: str, qtbot: QtBot) -> QMessageBox:  # noqa: ANN001
    def found() -> list[QMessageBox]:
        return [b for b in window.findChildren(QMessageBox) if b.accessibleName() == name and b.isVisible()]

    qtbot.waitUntil(lambda: len(found()) == 1, timeout=10000)
    return found()[0]


@pytest.mark.slow
def test_demo_banner_stays_and_remove_moves_the_files_aside(make_window, data_dir: Path, qtbot: QtBot) -> None:
    relaunched: list[Path] = []
    window = demo_window(make_window, data_dir, relaunched)
    banner = find(window, "Demo data banner")
    assert banner.isVisible() and "invented" in banner.text()
    qtbot.wait(50)
    assert banner.isVisible()  # not a status-bar message that goes away
    assert window.action_remove_demo.isEnabled() and window.action_remove_demo.text() == "Remove &demo data…"
    window.action_remove_demo.trigger()
    box = message_box(window, "Remove demo data", qtbot)
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: relaunched == [data_dir], timeout=20000)
    aside = window.demo_moved_to
    assert aside is not None and aside.parent == data_dir.parent and (aside / "patients.csv").exists()
    assert not (data_dir / "patients.csv").exists()
    # Reopened (as the relaunch does): empty, and the demo is not generated again.
    session = open_session(data_dir, demo_if_empty=True, demo_patients=12)
    try:
        assert len(session.services.patients.ids()) == 0 and session.demo_patients == 0
    finally:
        close_session(session)
    second = make_window(data_dir)
    assert not find(second, "Demo data banner").isVisible()
    assert not second.action_remove_demo.isEnabled()


@pytest.mark.slow
def test_removal_is_refused_once_a_real_patient_was_added(make_window, data_dir: Path, qtbot: QtBot) -> None:
    relaunched: list[Path] = []
    window = demo_window(make_window, data_dir, relaunched)
    window.ctx.services.patients.register(Patient(given_name="Real", family_name="Person",
                                                  date_of_birth=date(1970, 5, 5)))
    window.action_remove_demo.trigger()
    box = message_box(window, "Demo data not removed", qtbot)
    assert "patients: 13 rows, the demo data had 12" in box.text()
    box.close()
    assert relaunched == [] and window.isVisible() and (data_dir / "patients.csv").exists()
    assert find(window, "Demo data banner").isVisible()


def test_about_says_version_folder_libraries_licence_and_intended_use(make_window, data_dir: Path,
                                                                     qtbot: QtBot) -> None:
    window = make_window(data_dir)
    dialog = window.show_about()
    qtbot.waitUntil(dialog.isVisible, timeout=3000)
    facts = find(dialog, "Version and data folder").text()
    for part in (f"Data folder: {data_dir}", "Python 3.", "Qt 6.", "PySide6 6.", "pydantic ", "pandas ",
                 "Licence: MIT"):
        assert part in facts, part
    use = find(dialog, "Intended use")
    assert isinstance(use, QLabel)
    assert "NOT a certified medical device" in use.text()
    assert "keep the oximeter's own alarms switched on" in use.text()
