"""Kiosk option parsing and the flash timing of alarm priorities."""

from __future__ import annotations

import pytest

from hms_desktop.domain.alarm_limits import Priority
from hms_desktop.ui.monitor.alarm_style import flash_on
from hms_desktop.ui.monitor.station_spec import MonitorSpec, parse_monitor_spec, parse_monitor_specs


@pytest.mark.parametrize(("text", "spec"), [
    ("BED01=/dev/ttyUSB0", MonitorSpec("BED01", "/dev/ttyUSB0", "cms50-v7", "")),
    ("bed2=/dev/ttyUSB1@nonin-df2", MonitorSpec("BED2", "/dev/ttyUSB1", "nonin-df2", "")),
    ("B3=COM4@masimo:PAT000123", MonitorSpec("B3", "COM4", "masimo", "PAT000123")),
    ("B4=/dev/pts/7:PAT000001", MonitorSpec("B4", "/dev/pts/7", "cms50-v7", "PAT000001")),
    ("B5=AA:BB:CC:DD:EE:FF@ble_plx:PAT0000042", MonitorSpec("B5", "AA:BB:CC:DD:EE:FF", "ble_plx", "PAT0000042")),
    ("B6=AA:BB:CC:DD:EE:FF", MonitorSpec("B6", "AA:BB:CC:DD:EE:FF", "cms50-v7", "")),
    ("B7=demo@cms50-legacy:PAT000002", MonitorSpec("B7", "Demo device", "cms50-legacy", "PAT000002")),
])
def test_valid_specs(text: str, spec: MonitorSpec) -> None:
    assert parse_monitor_spec(text) == spec


@pytest.mark.parametrize(("text", "message"), [
    ("BED01", "expected BED=PORT"), ("=/dev/x", "bed id"), ("BED 1=/dev/x", "bed id"),
    ("B1=", "port is empty"), ("B1=/dev/x@", "protocol after '@' is empty"),
])
def test_invalid_specs_name_the_part(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_monitor_spec(text)


def test_duplicate_beds_and_more_than_16_refused() -> None:
    with pytest.raises(ValueError, match="BED1 given twice"):
        parse_monitor_specs(["bed1=/a", "BED1=/b"])
    with pytest.raises(ValueError, match="at most 16"):
        parse_monitor_specs([f"B{i}=/dev/p{i}" for i in range(17)])


def test_flash_rates_by_priority() -> None:
    high = [flash_on(Priority.HIGH, i / 100) for i in range(100)]  # one second, 10 ms steps
    changes = sum(a != b for a, b in zip(high, high[1:], strict=False))
    assert changes == 3 and sum(high) == 50   # 2 Hz, 50 % duty
    medium = [flash_on(Priority.MEDIUM, i / 10) for i in range(20)]  # two seconds
    assert sum(medium) == 10 and medium[:10] == [True] * 10
    assert all(flash_on(Priority.LOW, t / 7) for t in range(20))
    assert not flash_on(None, 0.1)
