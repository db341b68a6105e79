"""Tiles and the bed view on a real context: a child's bed says NEWS2 does not apply, an adult's
bed with only the monitor's values says the score is partial and what is missing (issue 11
item 12)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from hms_desktop.devices.sources import SyntheticOximeter
from hms_desktop.domain.patient import Patient
from hms_desktop.ui.context import AppContext
from hms_desktop.ui.monitor import create_tab
from tests.ui.monitor_helpers import monitor_context


@pytest.fixture
def ctx(data_dir: Path, qtbot: QtBot) -> Iterator[AppContext]:
    with monitor_context(data_dir, "nurse.news2") as context:
        yield context


def register(ctx: AppContext, given: str, born: date) -> str:
    return str(ctx.services.patients.register(Patient(
        given_name=given, family_name="Okafor", date_of_birth=born, phone="+447911123456")).id)


def test_child_and_adult_beds(ctx: AppContext, qtbot: QtBot) -> None:
    today = date.today()
    child = register(ctx, "Ada", date(today.year - 9, 1, 1))
    adult = register(ctx, "Bea", date(today.year - 60, 1, 1))
    tab = create_tab(ctx)
    qtbot.addWidget(tab)
    controller = ctx.monitor_controller
    controller.start_monitoring(bed_id="BED01", patient_id=child, port="synthetic", protocol="cms50-v7",
                                source=SyntheticOximeter(spo2=88, pulse_rate=150))
    controller.start_monitoring(bed_id="BED02", patient_id=adult, port="synthetic", protocol="cms50-v7",
                                source=SyntheticOximeter(spo2=97, pulse_rate=70))
    tile1, tile2 = tab.station.tiles["BED01"], tab.station.tiles["BED02"]
    qtbot.waitUntil(lambda: tile1.news2_label.text() == "NEWS2 does not apply (under 16)", timeout=8000)
    qtbot.waitUntil(lambda: tile2.news2_label.text() == "NEWS2 partial ≥0 — missing RR, air/O2, BP, ACVPU, temp",
                    timeout=8000)
    assert "partial" in tile2.accessibleDescription()
    tab.station.show_bed("BED02")
    view = tab.station.bed_view
    assert view.news2.text().startswith("NEWS2 partial")
    assert "Missing respiration rate, air or oxygen, systolic BP, consciousness, temperature" in view.news2_detail.text()
