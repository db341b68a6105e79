"""A second window on a folder another HMS Desktop holds (issue 11 item 3): it never opens the
station's device, says who monitors the beds, disables every registered write action with
the reason, and explains a refused write once — not once a second."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from hms_desktop.devices.simulator import PtySimulator
from hms_desktop.domain.monitoring import Bed
from hms_desktop.ui.monitor.station import start_station
from tests.ui.shell_helpers import *  # noqa: F403 (pytest fixtures make_window, shell_tables)
from tests.ui.shell_helpers import MakeWindow, find

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sim() -> Iterator[PtySimulator]:
    simulator = PtySimulator("cms50-v7")
    simulator.start()
    yield simulator
    simulator.stop()


@pytest.fixture
def first_window(data_dir: Path, sim: PtySimulator) -> Iterator[subprocess.Popen[str]]:
    """The window that holds the folder and monitors Bed 1 on the simulator's pty."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    holder = subprocess.Popen([sys.executable, str(PROJECT / "tests/ui/lock_holder.py"), str(data_dir), sim.port],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=PROJECT)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
    yield holder
    assert holder.stdin is not None
    holder.stdin.close()
    holder.wait(timeout=30)


def opened_by_us(path: str) -> int:
    """How many of this process's file descriptors are the pty behind ``path``."""
    target = os.path.realpath(path)
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}") == target:
                count += 1
        except OSError:
            continue
    return count


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="needs /proc to count open files")
@pytest.mark.slow
def test_second_window_never_opens_the_device_and_disables_writes(
        make_window: MakeWindow, qtbot: QtBot, data_dir: Path, sim: PtySimulator,
        first_window: subprocess.Popen[str]) -> None:
    before = opened_by_us(sim.port)  # the simulator's own end of the pty
    window = make_window(data_dir)
    ctx: Any = window.ctx
    assert ctx.read_only and not ctx.holds_folder_lock

    # Monitor tab: who monitors, and no station of its own (no controller, no reader, no port)
    notice = find(window, "monitor observer notice")
    assert "Beds are monitored by another window" in notice.text()
    assert "process" in notice.text()  # names the holder
    assert getattr(ctx, "monitor_controller", None) is None
    assert opened_by_us(sim.port) == before
    with pytest.raises(ValueError, match="only in the window that holds the data folder"):
        start_station(ctx, ["1=" + sim.port + ":PAT000001"], full_screen=False)
    assert opened_by_us(sim.port) == before

    # write actions disabled, with the reason; a tab enabling one again does not win
    for name in ("New patient", "Edit patient", "Merge patients", "New booking"):
        control: QWidget = find(window, name)
        assert not control.isEnabled(), name
        assert control.toolTip().startswith("Read-only: ") and "process" in control.toolTip(), name
    new_patient = find(window, "New patient")
    new_patient.setEnabled(True)
    assert not new_patient.isEnabled()

    # refused writes (a timer writing once a second did this) explain themselves once
    said: list[str] = []
    ctx.sig_status_posted.connect(said.append)
    for _ in range(5):
        ctx.run(ctx.services.monitoring.add_beds, [Bed(id="BED09", name="Bed 9")], what="Bed 9")
    qtbot.waitUntil(lambda: len([t for t in said if t.startswith("Not saved: Bed 9")]) == 5, timeout=5000)
    boxes = [w for w in window.findChildren(QWidget) if w.objectName() == "save_failed_message"]
    assert len(boxes) == 1


def test_a_folder_from_a_newer_version_says_why_it_monitors_nothing(
        make_window: MakeWindow, data_dir: Path) -> None:
    """Nobody else holds this folder: the Monitor tab must not send the nurse to look for
    "another window" that does not exist."""
    import json

    (data_dir / "shell_notes.csv").write_bytes(
        "\ufeffid,patient_id,written_on,text,ward,version,updated_at,updated_by,seq\n".encode())
    (data_dir / "manifest.json").write_text(json.dumps({"format": 1, "tables": {"shell_notes": 3}}))
    window = make_window(data_dir)
    ctx: Any = window.ctx
    assert ctx.read_only and not ctx.session.held_elsewhere
    text = find(window, "monitor observer notice").text()
    assert "another window" not in text
    assert "This window does not monitor beds" in text and "newer HMS Desktop" in text
    assert getattr(ctx, "monitor_controller", None) is None
