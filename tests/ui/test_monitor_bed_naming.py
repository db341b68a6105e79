"""One bed-naming rule (issue 11 item 15): a number, "Bed 9", "bed09" and "BED09" are one bed;
added beds are named like the ward's ("Bed 9"); refusals are plain sentences."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from hms_desktop.devices.sources import SyntheticOximeter
from hms_desktop.domain.monitoring import Bed
from hms_desktop.ui.monitor.bed_naming import BedNameError, find_bed, new_bed
from hms_desktop.ui.monitor.monitor_tab import MonitorTab
from hms_desktop.ui.monitor.station import start_station
from tests.ui.monitor_helpers import make_station

WARD = [Bed(id=f"BED{i:02d}", name=f"Bed {i}", position=i - 1) for i in range(1, 9)]


@pytest.mark.parametrize("text", ["1", "Bed 1", "bed1", "BED01", "bed 01", " Bed  1 "])
def test_a_bed_is_found_by_number_id_or_name(text: str) -> None:
    bed = find_bed(text, WARD)
    assert bed is not None and bed.id == "BED01"


@pytest.mark.parametrize("text", ["9", "Bed 9", "BED09", "bed9"])
def test_a_new_numbered_bed_is_named_like_the_ward(text: str) -> None:
    bed = new_bed(text, WARD)
    assert (bed.id, bed.name, bed.position) == ("BED09", "Bed 9", 8)


def test_a_named_bed_keeps_its_name() -> None:
    bed = new_bed("Side room", WARD)
    assert (bed.id, bed.name) == ("SIDEROOM", "Side room")
    assert find_bed("side ROOM", [*WARD, bed]) == bed


@pytest.mark.parametrize(("text", "message"), [
    ("Bed 3", "There is already a bed called Bed 3"),
    ("03", "There is already a bed called Bed 3"),
    ("   ", "Give the bed a name or a number"),
    ("x" * 41, "too long (41 characters; at most 40)"),
])
def test_refusals_are_plain_sentences(text: str, message: str) -> None:
    with pytest.raises(BedNameError) as info:
        new_bed(text, WARD)
    assert message in str(info.value)
    assert "pydantic" not in str(info.value) and "http" not in str(info.value)


def test_add_bed_in_the_tab_names_it_bed_9_and_refuses_a_duplicate(qtbot: QtBot, data_dir: Path) -> None:
    store, service, controller, _sound = make_station(data_dir, beds=8)
    try:
        tab = MonitorTab(controller)
        qtbot.addWidget(tab)
        controller.start()
        tab.bed_actions.add_bed("Bed 9")
        qtbot.waitUntil(lambda: "BED09" in controller.monitors, timeout=3000)
        assert controller.monitors["BED09"].bed.name == "Bed 9"
        assert tab.station.tiles["BED09"].bed_label.text() == "Bed 9"
        tab.bed_actions.add_bed("bed 9")
        assert tab.message.text() == "There is already a bed called Bed 9"
        assert len(service.beds()) == 9
    finally:
        controller.stop()
        store.close()


def test_monitor_option_by_number_uses_the_wards_bed(qtbot: QtBot, data_dir: Path) -> None:
    store, service, controller, _sound = make_station(data_dir, beds=2,
                                                      open_source=lambda p, q: SyntheticOximeter(spo2=95))
    try:
        view = start_station(None, ["1=/dev/pts/3:PAT000009", "bed7=/dev/pts/4"], controller=controller,
                             full_screen=False)
        qtbot.addWidget(view)
        assert [b.id for b in service.beds()] == ["BED01", "BED02", "BED07"]
        assert service.beds()[-1].name == "Bed 7"
        qtbot.waitUntil(lambda: service.live_session("BED01") is not None, timeout=3000)
        assert service.live_session("BED01").patient_id == "PAT000009"
    finally:
        controller.stop()
        store.close()
