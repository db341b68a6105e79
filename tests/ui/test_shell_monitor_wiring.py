"""The demo device: a simulated oximeter on a demo folder only, stopped before the writer."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from hms_desktop.services.session import DEMO_MARKER
from hms_desktop.ui.shell.monitor_wiring import start_demo_device
from tests.ui.shell_helpers import *  # noqa: F403 (pytest fixtures make_window, shell_tables)


def test_demo_folder_gets_a_live_simulated_oximeter(make_window, data_dir: Path, qtbot: QtBot) -> None:
    window = make_window(demo_if_empty=True, demo_patients=4, demo_seed=2)
    assert (data_dir / DEMO_MARKER).exists()
    ctx = window.ctx
    bed_id = start_demo_device(ctx)
    assert bed_id
    mon = ctx.monitor_controller.monitors[bed_id]
    qtbot.waitUntil(lambda: mon.numerics.spo2 is not None, timeout=15000)
    assert 50 <= mon.numerics.spo2 <= 100 and mon.port == "Demo device"
    assert mon.monitoring and mon.patient_id == ctx.services.patients.ids()[0]
    assert "simulated oximeter" in window.statusBar().currentMessage()
    assert start_demo_device(ctx) == ""  # a device is attached now: never a second one
    window.close()  # device threads stop before the writer (the thread-leak guard checks)
    assert not ctx.monitor_controller.running


def test_real_clinic_folder_never_gets_fake_vitals(make_window, data_dir: Path) -> None:
    window = make_window(demo_if_empty=False)
    assert not (data_dir / DEMO_MARKER).exists()
    assert start_demo_device(window.ctx) == ""
    controller = getattr(window.ctx, "monitor_controller", None)
    assert controller is None or not any(m.port for m in controller.monitors.values())
