"""Every care page builds from CARE_PAGES, names every control for screen readers, and
follows the current patient."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from hms_desktop.ui.care import CARE_PAGES
from tests.ui.care.conftest import PATIENT, drain

CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QAbstractItemView, QLabel)


def unnamed(root: QWidget) -> list[str]:
    """Controls without an object name or an accessible name. Qt's own parts of composite
    widgets (header views, combo pop-ups, spin-box editors) are announced by their owner."""
    missing = []
    for w in root.findChildren(QWidget):
        if (not isinstance(w, CONTROLS) or isinstance(w, QHeaderView)
                or w.objectName().startswith("qt_")
                or w.parent().metaObject().className() == "QComboBoxPrivateContainer"):
            continue
        if not w.objectName() or not w.accessibleName():
            missing.append(f"{type(w).__name__} {w.objectName()!r} {getattr(w, 'text', str)()!r}")
    return missing


def test_pages_listed_in_record_order() -> None:
    assert [title for title, _ in CARE_PAGES] == ["Observations", "Chronic care", "Referrals",
                                                 "Wearables"]


@pytest.mark.parametrize(("title", "factory"), CARE_PAGES, ids=[t for t, _ in CARE_PAGES])
def test_every_control_is_named(care_ctx: Any, qtbot: QtBot, title: str, factory: Any) -> None:
    page: QWidget = factory(care_ctx)
    qtbot.addWidget(page)
    assert page.accessibleName() == title
    no_patient = page.findChild(QWidget, f"{page.objectName()}_no_patient")
    assert not no_patient.isHidden()
    care_ctx.current_patient.select(PATIENT)
    drain(care_ctx, qtbot)
    assert unnamed(page) == []
    assert no_patient.isHidden()


@pytest.mark.parametrize(("title", "button", "window"), [
    ("Observations", "Edit clinical ranges", "Clinical ranges"),
    ("Chronic care", "Overdue readings list", "Overdue chronic readings"),
    ("Referrals", "All referrals list", "All referrals"),
    ("Referrals", "Edit departments", "Departments"),
    ("Wearables", "Import wearable CSV", "Import wearable readings"),
])
def test_buttons_open_their_windows(care_ctx: Any, qtbot: QtBot, title: str, button: str,
                                    window: str) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    factory = dict(CARE_PAGES)[title]
    page = factory(care_ctx)
    qtbot.addWidget(page)
    care_ctx.current_patient.select(PATIENT)
    drain(care_ctx, qtbot)
    from tests.ui.care.conftest import find

    qtbot.mouseClick(find(page, button), Qt.MouseButton.LeftButton)
    drain(care_ctx, qtbot)
    opened = [w for w in QApplication.topLevelWidgets() if w.accessibleName() == window and w.isVisible()]
    assert len(opened) == 1
    assert unnamed(opened[0]) == []
    opened[0].close()
    drain(care_ctx, qtbot)


@pytest.mark.parametrize(("title", "factory"), CARE_PAGES, ids=[t for t, _ in CARE_PAGES])
def test_a_page_built_after_the_patient_was_chosen_shows_that_patient(
        care_ctx: Any, qtbot: QtBot, title: str, factory: Any) -> None:
    care_ctx.current_patient.select(PATIENT)  # pages are built on first view, often later
    page: QWidget = factory(care_ctx)
    qtbot.addWidget(page)
    drain(care_ctx, qtbot)
    assert page.findChild(QWidget, f"{page.objectName()}_no_patient").isHidden()


@pytest.mark.parametrize(("title", "factory"), CARE_PAGES, ids=[t for t, _ in CARE_PAGES])
def test_pages_fit_a_laptop_screen(care_ctx: Any, qtbot: QtBot, title: str, factory: Any) -> None:
    """Under the record's header, a page must not force the window past a 768-px screen."""
    page: QWidget = factory(care_ctx)
    qtbot.addWidget(page)
    assert page.minimumSizeHint().height() <= 560
