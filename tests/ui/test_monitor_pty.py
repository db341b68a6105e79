"""End to end through real pseudo-terminals: the devices package's simulator -> DeviceReader
thread -> station controller -> alarm engine, views and day files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hms_desktop.devices.simulator import PtySimulator
from hms_desktop.domain.alarm_limits import PHYSIOLOGICAL, AlarmKind, AlarmLimits, Priority
from hms_desktop.ui.monitor.station_view import StationView
from tests.ui.monitor_helpers import make_station

FAST = AlarmLimits(satseconds=0, spo2_delay_s=2, technical_delay_s=1, clear_after_s=1)


def scenario(tmp_path: Path, name: str, rows: str) -> str:
    path = tmp_path / f"{name}.csv"
    path.write_text("duration_s,spo2,pr,condition\n" + rows, encoding="utf-8")
    return str(path)


@pytest.mark.slow
def test_desaturation_finger_out_and_unplug_through_real_ptys(qtbot, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # A fast desaturation (97 -> 84 at 3 s) and a finger taken out at 3 s, each on its own pty.
    desat = scenario(tmp_path, "desaturation", "3,97,72,ok\n0.2,84,90,ok\n120,84,90,ok\n")
    finger = scenario(tmp_path, "finger-out", "3,97,72,ok\n120,97,72,finger_out\n")
    sims = [PtySimulator("cms50-v7", scenario=desat), PtySimulator("cms50-v7", scenario=finger),
            PtySimulator("cms50-v7")]
    store, service, controller, sound = make_station(data_dir)
    try:
        for i in range(3):
            service.set_limits(f"PAT00000{i + 1}", FAST)
        view = StationView(controller)
        qtbot.addWidget(view)
        controller.start()
        for sim in sims:
            sim.start()
        for i, sim in enumerate(sims):
            controller.start_monitoring(f"BED0{i + 1}", f"PAT00000{i + 1}", sim.port, "cms50-v7")
        bed1, bed2, bed3 = (controller.monitors[f"BED0{i}"] for i in (1, 2, 3))
        qtbot.waitUntil(lambda: bed1.numerics.spo2 == 97 and bed3.numerics.spo2 == 97, timeout=5000)

        # desaturation -> high-priority SpO2 alarm within delay + 1 s of the low value arriving
        qtbot.waitUntil(lambda: (bed1.numerics.spo2 or 100) < 90, timeout=8000)
        low_at = controller.clock()
        qtbot.waitUntil(lambda: bed1.engine.alarm(AlarmKind.SPO2_LOW) is not None, timeout=5000)
        alarm = bed1.engine.alarm(AlarmKind.SPO2_LOW)
        assert alarm is not None and alarm.priority is Priority.HIGH
        assert alarm.started_at - low_at <= FAST.spo2_delay_s + 1.0
        assert Priority.HIGH in sound.played

        # finger out -> technical alarm, and no physiological alarm while it lasts
        qtbot.waitUntil(lambda: bed2.engine.alarm(AlarmKind.FINGER_OUT) is not None, timeout=5000)
        assert not [a for a in bed2.engine.alarms if a.kind in PHYSIOLOGICAL]
        assert bed2.numerics.spo2 is None

        # unplug -> no data
        sims[2].unplug()
        qtbot.waitUntil(lambda: bed3.engine.alarm(AlarmKind.NO_DATA) is not None
                        or bed3.engine.alarm(AlarmKind.DEVICE_UNPLUGGED) is not None, timeout=8000)
        assert bed3.device_state in ("no_data", "disconnected")

        # the numerics day file holds the values the simulator sent
        for bed in ("BED01", "BED02", "BED03"):
            controller.end_monitoring(bed)
        now = datetime.now(UTC)
        rows = service.data.vitals.read(now - timedelta(minutes=2), now + timedelta(minutes=1))
        bed1_values = [r.spo2 for r in rows if r.bed_id == "BED01"]
        assert 97 in bed1_values and bed1_values[-1] == 84
        assert {r.patient_id for r in rows if r.bed_id == "BED01"} == {"PAT000001"}
        assert any("finger_out" in r.flags for r in rows if r.bed_id == "BED02")
        events = service.alarm_history(now - timedelta(minutes=2), now + timedelta(minutes=1))
        assert {(e.bed_id, e.kind) for e in events} >= {("BED01", "spo2_low"), ("BED02", "finger_out")}
    finally:
        controller.stop()
        for sim in sims:
            sim.stop()
        store.close()


@pytest.mark.slow
def test_demo_device_streams_through_a_real_reader(qtbot) -> None:  # type: ignore[no-untyped-def]
    from hms_desktop.devices.sources import DEMO_PORT, DeviceSource

    source = DeviceSource(DEMO_PORT, "cms50-v7")
    batches: list[tuple] = []  # type: ignore[type-arg]
    states: list[str] = []
    source.sig_readings_received.connect(batches.append)
    source.sig_state_changed.connect(states.append)
    source.start()
    try:
        qtbot.waitUntil(lambda: sum(len(b) for b in batches) >= 60, timeout=5000)
        assert "streaming" in states
        assert any(r.spo2 is not None and r.pleth for b in batches for r in b)
    finally:
        source.stop()
    # "stopped" is emitted on the GUI thread; earlier states queued from the reader thread may
    # still be delivered after it, which is why the controller disconnects before stopping.
    qtbot.waitUntil(lambda: "stopped" in states, timeout=2000)


def test_bluetooth_without_bleak_says_how_to_install(qtbot, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    import importlib.util

    if importlib.util.find_spec("bleak") is not None:
        return  # bleak installed: nothing to refuse
    from hms_desktop.devices.sources import open_source

    store, service, controller, _sound = make_station(data_dir, beds=1, open_source=open_source)
    errors: list[str] = []
    controller.sig_error_reported.connect(errors.append)
    controller.start()
    controller.start_monitoring("BED01", "PAT000001", "AA:BB:CC:DD:EE:FF", "ble-plx")
    assert errors and "pip install '.[ble]'" in errors[0] and errors[0].startswith("port AA:BB:CC:DD:EE:FF")
    controller.stop()
    store.close()


@pytest.mark.slow
def test_builtin_desaturation_scenario_alarms_within_delay_plus_one_second(qtbot, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """The simulator's own "desaturation" (SpO2 ramps below 90 about 26 s in): ~30 s."""
    sim = PtySimulator("cms50-v7", scenario="desaturation")
    store, service, controller, _sound = make_station(data_dir, beds=1)
    try:
        service.set_limits("PAT000001", FAST)
        controller.start()
        sim.start()
        controller.start_monitoring("BED01", "PAT000001", sim.port, "cms50-v7")
        bed = controller.monitors["BED01"]
        qtbot.waitUntil(lambda: (bed.numerics.spo2 or 100) < 90, timeout=40000)
        low_at = controller.clock()
        qtbot.waitUntil(lambda: bed.engine.alarm(AlarmKind.SPO2_LOW) is not None, timeout=5000)
        alarm = bed.engine.alarm(AlarmKind.SPO2_LOW)
        assert alarm is not None and alarm.priority is Priority.HIGH
        assert alarm.started_at - low_at <= FAST.spo2_delay_s + 1.0
    finally:
        controller.stop()
        sim.stop()
        store.close()
