"""Quitting with monitored beds asks first; while beds are monitored the watchdog process runs
and the machine is kept awake; a confirmed quit says goodbye, so no false alarm (issue 11
item 6)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from hms_desktop.devices.sources import SyntheticOximeter
from hms_desktop.domain.monitoring import Bed
from hms_desktop.ui.monitor.guard import guard_window
from hms_desktop.ui.shell import keep_awake
from hms_desktop.ui.shell.keep_awake import KeepAwake
from hms_desktop.ui.shell.watchdog_client import WatchdogClient, watchdog_command
from tests.ui.shell_helpers import *  # noqa: F403 (pytest fixtures make_window, shell_tables)
from tests.ui.shell_helpers import MakeWindow


def answer_quit_question(button_name: str, seen: list[str]) -> None:
    """Click a button of the modal question once it is up (it runs its own event loop)."""
    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        seen.append(box.text())
        [b for b in box.findChildren(QPushButton) if b.accessibleName() == button_name][0].click()

    QTimer.singleShot(0, click)


@pytest.mark.slow
def test_quit_with_monitored_beds_asks_and_the_watchdog_follows(
        make_window: MakeWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inhibited: list[str] = []
    monkeypatch.setattr(keep_awake.sys, "platform", "linux")
    monkeypatch.setattr(keep_awake, "_dbus_screensaver",
                        lambda reason: inhibited.append(reason) or (lambda: inhibited.append("released")))
    monkeypatch.setattr(keep_awake, "_systemd_inhibit", lambda reason: None)
    report = tmp_path / "watchdog.log"
    window = make_window()
    ctx: Any = window.ctx
    ctx.services.monitoring.add_beds([Bed(id="BED01", name="Bed 1")])
    watchdog = WatchdogClient(command=watchdog_command(report))
    guard = guard_window(window, ctx, watchdog=watchdog, keep_awake=KeepAwake())
    controller = ctx.monitor_controller
    controller.reload_beds()
    assert watchdog.process is None and inhibited == []  # nothing monitored: nothing held

    controller.start_monitoring(bed_id="BED01", patient_id="PAT000001", port="synthetic",
                                protocol="cms50-v7", source=SyntheticOximeter())
    qtbot.waitUntil(lambda: watchdog.process is not None, timeout=5000)
    assert inhibited == ["1 bed(s) monitored by HMS Desktop"]
    qtbot.waitUntil(lambda: "WATCHDOG started" in (report.read_text() if report.exists() else ""),
                    timeout=20_000)
    pid = int(re.search(r"pid (\d+)", report.read_text()).group(1))  # type: ignore[union-attr]

    seen: list[str] = []
    answer_quit_question("keep monitoring", seen)
    window.close()
    assert window.isVisible() and "Bed 1 — PAT000001" in seen[0]
    # Over the lock screen (the gate sets the property) the question names beds, not patients.
    window.setProperty("hms_locked", True)
    answer_quit_question("keep monitoring", seen)
    window.close()
    assert window.isVisible() and "Bed 1 — patient hidden (screen locked)" in seen[1]
    assert "PAT000001" not in seen[1]
    window.setProperty("hms_locked", False)
    assert guard.monitored() == ["Bed 1 — PAT000001"]

    answer_quit_question("quit and stop monitoring", seen)
    window.close()
    assert not window.isVisible()
    assert watchdog.process is None  # said goodbye and waited for it
    assert "ALARM" not in report.read_text()
    assert inhibited[-1] == "released"
    import os

    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
