"""stop() is final: after "stopped", nothing the reader thread queued earlier arrives."""

from __future__ import annotations

import time

from .conftest import deliver_queued


def test_nothing_arrives_after_stopped_even_when_the_gui_thread_was_busy(make_sim, make_reader, qtbot) -> None:  # type: ignore[no-untyped-def]
    sim = make_sim("cms50-v7", spo2=96, pr=70)
    reader, rec = make_reader(sim.port, "cms50-v7")
    qtbot.waitUntil(lambda: bool(rec.batches) and rec.states[-1] == "streaming", timeout=5000)
    # The GUI thread is busy (a long paint, a dialog opening): the reader keeps queueing batches.
    time.sleep(0.4)
    reader.stop()
    assert rec.states[-1] == "stopped"  # said at once, not queued behind older news
    batches, states = len(rec.batches), list(rec.states)
    deliver_queued(qtbot)  # everything the thread queued before stop() has now been delivered
    assert len(rec.batches) == batches, "a batch arrived after 'stopped'"
    assert rec.states == states and states.count("stopped") == 1


def test_a_restarted_reader_streams_again(make_sim, make_reader, qtbot) -> None:  # type: ignore[no-untyped-def]
    sim = make_sim("cms50-v7", spo2=95, pr=66)
    reader, rec = make_reader(sim.port, "cms50-v7")
    qtbot.waitUntil(lambda: rec.states[-1:] == ["streaming"], timeout=5000)
    reader.stop()
    n = len(rec.batches)
    reader.start()
    qtbot.waitUntil(lambda: len(rec.batches) > n and rec.states[-1] == "streaming", timeout=5000)
    assert rec.states[-3:] == ["stopped", "connecting", "streaming"]
