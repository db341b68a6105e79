"""The chronic care and wearables pages stop offering what the signed-in role cannot do,
saying in the tooltip which role is needed (the services refuse it too)."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from hms_desktop.domain.accounts import Role, SignedInUser
from hms_desktop.ui.care import create_chronic_page, create_wearables_page
from tests.ui.care.conftest import find, open_page

NURSE = SignedInUser("nina", "Nina", frozenset({Role.NURSE}))
CLINICIAN = SignedInUser("dr", "Dr", frozenset({Role.CLINICIAN}))


def test_a_nurse_adds_readings_but_is_told_enrolment_needs_a_clinician(care_ctx: Any, qtbot: QtBot) -> None:
    care_ctx.sign_in(NURSE)
    chronic = open_page(create_chronic_page, care_ctx, qtbot)
    wearables = open_page(create_wearables_page, care_ctx, qtbot)
    enrol = find(chronic, "Enrol or save enrolment")
    assert not enrol.isEnabled()
    assert enrol.toolTip() == "Needs the clinician role (edit record)"
    assert find(chronic, "Add reading").isEnabled()
    assert find(chronic, "Overdue readings list").isEnabled()
    assert find(wearables, "Import wearable CSV").isEnabled()

    care_ctx.sign_in(CLINICIAN)
    assert enrol.isEnabled() and "Needs" not in enrol.toolTip()


def test_emergency_access_reads_but_cannot_add_or_import(care_ctx: Any, qtbot: QtBot) -> None:
    care_ctx.sign_in(SignedInUser("rita", "Rita", frozenset({Role.RECEPTIONIST})))
    care_ctx.services.access.break_glass("PAT000001", "unconscious patient in reception")
    chronic = open_page(create_chronic_page, care_ctx, qtbot)
    wearables = open_page(create_wearables_page, care_ctx, qtbot)
    reading = find(chronic, "Add reading")
    assert not reading.isEnabled() and reading.toolTip() == "Needs the clinician or nurse role (record observations)"
    assert not find(chronic, "Overdue readings list").isEnabled()
    assert not find(wearables, "Import wearable CSV").isEnabled()
