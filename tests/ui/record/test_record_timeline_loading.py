"""The Timeline loads on a reader thread: the window keeps running while a big timeline
(30 wearable day files) loads, and a quick switch of patient never shows the patient the user
has already left (issue 12 item 2)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QTableView

from hms_desktop.domain.record import Problem, Section
from hms_desktop.domain.timeline import TimelineEntry
from hms_desktop.domain.wearables import WearableReading
from hms_desktop.ui.record.tab import RecordTab
from tests.ui.record.conftest import OTHER, PATIENT
from tests.ui.record.test_record_sections import find

GATE_TIMEOUT_S = 10.0


def kinds_shown(page: Any) -> list[str]:
    model = find(page, QTableView, "Timeline").model()
    return [model.data(model.index(r, 1)) for r in range(model.rowCount())]


def test_the_window_keeps_running_while_a_big_timeline_loads(qtbot: Any, record_tab: RecordTab,
                                                            record_ctx: Any) -> None:
    start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=29)
    record_ctx.services.wearables.append([  # 30 day files, a reading every 10 minutes
        WearableReading(at=start + timedelta(minutes=10 * n), patient_id=PATIENT, device_id="ring",
                        heart_rate=60 + n % 30) for n in range(30 * 144)])
    ticks: list[int] = []
    ticker = QTimer(record_tab, interval=5)
    ticker.timeout.connect(lambda: ticks.append(1))
    ticker.start()
    ticked = threading.Event()
    ticker.timeout.connect(ticked.set)

    def waits_for_the_gui(services: Any, patient_id: str) -> list[TimelineEntry]:
        """A source that finishes only once the GUI thread has ticked during the load: on the
        GUI thread the load would wait for itself, time out, and no tick would be counted."""
        ticked.clear()
        ticked.wait(GATE_TIMEOUT_S)
        return []

    record_ctx.timeline_sources.append(waits_for_the_gui)
    record_ctx.current_patient.select(PATIENT)
    page = record_tab.show_page("Timeline")
    before = len(ticks)
    with qtbot.waitSignal(page.sig_timeline_shown, timeout=int(GATE_TIMEOUT_S * 1000) + 5000):
        pass
    ticker.stop()
    assert len(ticks) > before  # the event loop ran while the timeline was read
    assert kinds_shown(page) == ["Wearable"] * 30
    assert find(page, QLabel, "Timeline notice").text() == ""


def test_a_quick_switch_of_patient_never_shows_the_one_left(qtbot: Any, record_tab: RecordTab,
                                                            record_ctx: Any) -> None:
    record = record_ctx.services.record
    record.add(Section.PROBLEMS, Problem(patient_id=PATIENT, condition="Asthma"))
    record.add(Section.PROBLEMS, Problem(patient_id=OTHER, condition="Gout"))
    started, release = threading.Event(), threading.Event()

    def slow_for_the_first(services: Any, patient_id: str) -> list[TimelineEntry]:
        if patient_id == PATIENT:  # e.g. years of wearable files
            started.set()
            release.wait(GATE_TIMEOUT_S)
        return []

    record_ctx.timeline_sources.insert(0, slow_for_the_first)  # read first: the load is surely under way
    page = record_tab.show_page("Timeline")
    shown: list[str] = []
    page.sig_timeline_shown.connect(shown.append)
    record_ctx.current_patient.select(PATIENT)
    first = page.query
    assert first is not None
    qtbot.waitUntil(started.is_set, timeout=5000)
    with qtbot.waitSignal(page.sig_timeline_shown, timeout=5000):
        record_ctx.current_patient.select(OTHER)  # the user moves on before it has loaded
    model = find(page, QTableView, "Timeline").model()
    assert shown == [OTHER] and model.data(model.index(0, 2)) == "Gout"
    with qtbot.waitSignal(first.sig_closed, timeout=5000):  # the slow load ends, its answer is dropped
        release.set()
    assert shown == [OTHER]
    assert [model.data(model.index(r, 2)) for r in range(model.rowCount())] == ["Gout"]
