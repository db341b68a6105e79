"""Cyclic garbage is collected on a GUI-thread timer, with automatic collection off (issue 11
item 6: a collection inside a Qt call deadlocked the GUI thread)."""

from __future__ import annotations

import gc
import weakref

from pytestqt.qtbot import QtBot

from hms_desktop.ui.shell.gc_timer import GuiGarbageCollector


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_cycles_are_freed_by_the_timer_not_by_the_automatic_collector(qtbot: QtBot) -> None:
    gc.enable()
    collector = GuiGarbageCollector(interval_ms=10)
    collector.start()
    try:
        assert not gc.isenabled()
        refs = [weakref.ref(Node()) for _ in range(gc.get_threshold()[0] * 2)]
        assert all(r() is not None for r in refs[:10])  # nothing collected at allocation
        qtbot.waitUntil(lambda: all(r() is None for r in refs), timeout=5000)
        assert collector.collections >= 1
    finally:
        collector.stop()
    assert gc.isenabled()  # restored what it found
    gc.disable()  # the test session's own setting (tests/conftest.py)
