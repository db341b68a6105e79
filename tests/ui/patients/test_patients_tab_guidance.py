"""The patients list: an empty list always says why and what to do next."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QTableView

from hms_desktop.domain.patient import Patient, PatientStatus
from hms_desktop.ui.context import AppContext
from hms_desktop.ui.patients import create_tab
from tests.ui.patients.helpers import find, show_active, type_text


def count(tab) -> str:  # noqa: ANN001
    return str(find(tab, "Patient count", QLabel).text())


def test_fresh_clinic_says_how_to_register_the_first_patient(ctx: AppContext, qtbot) -> None:  # noqa: ANN001
    tab = create_tab(ctx)
    show_active(qtbot, tab)
    qtbot.waitUntil(lambda: find(tab, "Patient list", QTableView).model() is not None, timeout=5000)
    assert count(tab) == "No patients yet: Ctrl+N registers the first one"


def test_no_match_names_the_search_and_points_at_hidden_matches(ctx: AppContext, qtbot) -> None:  # noqa: ANN001
    service = ctx.services.patients
    service.register(Patient(given_name="Ana", family_name="Peña", date_of_birth=date(2001, 3, 7)))
    gone = service.register(Patient(given_name="Seán", family_name="O'Brien", date_of_birth=date(1990, 12, 1)))
    service.set_status(gone.id, PatientStatus.INACTIVE)
    tab = create_tab(ctx)
    show_active(qtbot, tab)
    table = find(tab, "Patient list", QTableView)
    qtbot.waitUntil(lambda: table.model() is not None and table.model().rowCount() == 1, timeout=5000)
    assert count(tab) == "1 patient(s)"
    search = find(tab, "Search patients", QLineEdit)
    type_text(qtbot, search, "zzzz")
    qtbot.waitUntil(lambda: count(tab).startswith("No patient matches “zzzz”"), timeout=3000)
    type_text(qtbot, search, "sean")
    qtbot.waitUntil(lambda: "1 inactive, deceased or merged do" in count(tab), timeout=3000)
    assert table.model().rowCount() == 0


def test_down_arrow_goes_from_search_to_results_and_esc_clears_the_search(
        ctx: AppContext, qtbot) -> None:  # noqa: ANN001
    service = ctx.services.patients
    ana = service.register(Patient(given_name="Ana", family_name="Peña", date_of_birth=date(2001, 3, 7)))
    service.register(Patient(given_name="Bob", family_name="Jones", date_of_birth=date(1970, 1, 1)))
    tab = create_tab(ctx)
    show_active(qtbot, tab)
    table = find(tab, "Patient list", QTableView)
    qtbot.waitUntil(lambda: table.model() is not None and table.model().rowCount() == 2, timeout=5000)
    search = find(tab, "Search patients", QLineEdit)
    search.setFocus()
    type_text(qtbot, search, "pena")
    qtbot.keyClick(search, Qt.Key.Key_Down)
    assert table.hasFocus() and table.model().rowCount() == 1
    assert table.model().patient_id(table.currentIndex().row()) == ana.id
    search.setFocus()
    qtbot.keyClick(search, Qt.Key.Key_Escape)
    assert search.text() == ""
    qtbot.waitUntil(lambda: table.model().rowCount() == 2, timeout=3000)
