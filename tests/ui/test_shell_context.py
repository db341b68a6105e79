"""AppContext: writes on the background writer, results and changes back on the GUI thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from hms_desktop.domain.clinic_settings import ClinicSettings
from hms_desktop.services.bus import Change, EventBus
from hms_desktop.services.container import build_services
from hms_desktop.services.settings_file import load_settings
from hms_desktop.services.writer import BackgroundWriter
from hms_desktop.storage import Store
from hms_desktop.ui.context import AppContext
from tests.shell_fixture_tables import SHELL_NOTES, ShellNote


@pytest.fixture
def make_ctx(data_dir: Path, qtbot: QtBot) -> Iterator[object]:
    made: list[tuple[AppContext, Store, BackgroundWriter]] = []

    def make(folder: Path = data_dir) -> AppContext:
        store, bus, writer = Store(folder), EventBus(), BackgroundWriter()
        ctx = AppContext(services=build_services(store, bus), store=store, bus=bus, writer=writer,
                         settings=ClinicSettings(), data_dir=folder)
        made.append((ctx, store, writer))
        return ctx

    yield make
    for _ctx, store, writer in reversed(made):
        writer.shutdown()
        store.close()


def _note(text: str = "seen") -> ShellNote:
    return ShellNote(patient_id="PAT000001", written_on=date(2026, 11, 25), text=text)


def test_run_writes_on_the_writer_thread_and_answers_on_the_gui_thread(make_ctx, qtbot: QtBot) -> None:
    ctx = make_ctx()
    worker_threads: list[str] = []
    answers: list[tuple[str, bool]] = []

    def insert(note: ShellNote) -> ShellNote:
        worker_threads.append(threading.current_thread().name)
        return ctx.store.table(SHELL_NOTES).insert(note)

    ctx.run(insert, _note(),
            on_done=lambda rec: answers.append((rec.id, threading.current_thread() is threading.main_thread())),
            what="note")
    qtbot.waitUntil(lambda: bool(answers), timeout=3000)
    assert answers == [("SNT000001", True)]
    assert worker_threads[0].startswith("hms-writer")
    assert ctx.store.table(SHELL_NOTES).get("SNT000001").text == "seen"


def test_a_refused_write_is_reported_naming_what_was_not_saved(make_ctx, data_dir, qtbot: QtBot) -> None:
    ctx_writer = make_ctx()  # holds the folder lock
    ctx = make_ctx(data_dir)  # second instance on the same folder: read-only
    assert ctx.read_only and not ctx_writer.read_only
    assert "read-only" in ctx.read_only_reason
    done: list[object] = []
    with qtbot.waitSignal(ctx.sig_failure_reported, timeout=3000) as failure, \
            qtbot.waitSignal(ctx.sig_status_posted, timeout=3000) as status:
        ctx.run(ctx.store.table(SHELL_NOTES).insert, _note(), on_done=done.append,
                what="note for PAT000001")
    what, reason = failure.args
    assert what == "note for PAT000001"
    assert "read-only" in reason
    assert status.args[0].startswith("Not saved: note for PAT000001")
    assert done == []  # never pretends to have saved
    assert len(ctx_writer.store.table(SHELL_NOTES)) == 0


def test_on_error_that_handles_the_problem_suppresses_the_message_box(make_ctx, qtbot: QtBot) -> None:
    ctx = make_ctx()
    seen: list[BaseException] = []
    boxes: list[tuple[str, str]] = []
    ctx.sig_failure_reported.connect(lambda w, r: boxes.append((w, r)))

    def invalid() -> None:
        ShellNote.model_validate({"patient_id": "PAT1", "written_on": "31/02/2026"})

    with qtbot.waitSignal(ctx.sig_status_posted, timeout=3000) as status:
        ctx.run(invalid, on_error=lambda exc: seen.append(exc) or True, what="note")
    assert "written_on" in status.args[0]  # the field is named for the user
    assert len(seen) == 1 and boxes == []


def test_bus_changes_arrive_on_the_gui_thread(make_ctx, qtbot: QtBot) -> None:
    ctx = make_ctx()
    received: list[tuple[Change, bool]] = []
    ctx.changes.sig_changed.connect(
        lambda c: received.append((c, threading.current_thread() is threading.main_thread())))
    change = Change(table="shell_notes", ids=("SNT000001",), op="insert")
    ctx.writer.submit(ctx.bus.publish, change)
    qtbot.waitUntil(lambda: bool(received), timeout=3000)
    assert received == [(change, True)]


def test_current_patient_announces_only_real_changes(make_ctx, qtbot: QtBot) -> None:
    ctx = make_ctx()
    heard: list[str] = []
    ctx.current_patient.sig_patient_changed.connect(heard.append)
    ctx.current_patient.select("PAT000007")
    ctx.current_patient.select("PAT000007")
    ctx.current_patient.select("")
    assert heard == ["PAT000007", ""]
    assert ctx.current_patient.patient_id == ""


def test_navigation_requests(make_ctx, qtbot: QtBot) -> None:
    ctx = make_ctx()
    tabs: list[str] = []
    bookings: list[dict] = []
    visits: list[dict] = []
    ctx.navigation.sig_tab_requested.connect(tabs.append)
    ctx.navigation.sig_booking_requested.connect(bookings.append)
    ctx.navigation.sig_visit_log_requested.connect(visits.append)
    ctx.navigation.open_patient("PAT000042")
    ctx.navigation.request_booking(patient_id="PAT000042", reason="follow-up")
    ctx.navigation.request_visit_log(patient_id="PAT000042", appointment_id="APT000001")
    assert ctx.current_patient.patient_id == "PAT000042"
    assert tabs == ["Record"]
    assert bookings == [{"patient_id": "PAT000042", "reason": "follow-up"}]
    assert visits == [{"patient_id": "PAT000042", "appointment_id": "APT000001"}]


def test_update_settings_saves_then_announces(make_ctx, data_dir: Path, qtbot: QtBot) -> None:
    ctx = make_ctx()
    new = ClinicSettings(clinic_name="Riverside Surgery", audio_pause_seconds=90)
    with qtbot.waitSignal(ctx.sig_settings_changed, timeout=3000) as changed:
        ctx.update_settings(new)
    assert changed.args[0] == new
    assert ctx.settings == new
    assert load_settings(data_dir) == new


def test_a_write_after_shutdown_is_reported_not_lost_silently(make_ctx, qtbot: QtBot) -> None:
    ctx = make_ctx()
    ctx.writer.shutdown()
    failures: list[tuple[str, str]] = []
    ctx.sig_failure_reported.connect(lambda w, r: failures.append((w, r)))
    future = ctx.run(ctx.store.table(SHELL_NOTES).insert, _note(), what="late note")
    assert future.exception() is not None
    assert failures and failures[0][0] == "late note" and "shut down" in failures[0][1]
    assert len(ctx.store.table(SHELL_NOTES)) == 0
