"""The batch gate shared by the serial and BLE readers, and the BLE reader's guard."""

from __future__ import annotations

import importlib.util

import pytest

from hms_desktop.devices.batching import BatchGate
from hms_desktop.domain.readings import Reading

R = Reading(spo2=97)


def test_batches_go_out_at_most_30_times_a_second_and_keep_everything() -> None:
    gate = BatchGate(3.0, now=0.0)
    sent = []
    for i in range(600):  # 600 readings at 60 Hz over 10 s
        now = i / 60
        gate.add([R], now)
        batch = gate.take(now)
        if batch:
            sent.append(batch)
    assert len(sent) <= 10 * 30 + 1
    assert sum(map(len, sent)) + len(gate.take(100.0) or ()) == 600


def test_silence_after_the_configured_time() -> None:
    gate = BatchGate(3.0, now=10.0)
    assert not gate.silent(12.9)
    assert gate.silent(13.1)
    gate.add([R], 13.2)
    assert not gate.silent(14.0)
    gate.add([], 16.0)  # an empty parse does not count as data
    assert gate.silent(16.3)


@pytest.mark.skipif(importlib.util.find_spec("bleak") is not None, reason="bleak is installed")
def test_ble_reader_without_the_extra_says_how_to_install(qapp) -> None:
    from hms_desktop.devices.ble import BLE_AVAILABLE, BleReader

    assert not BLE_AVAILABLE
    with pytest.raises(RuntimeError, match=r"pip install '.\[ble\]'"):
        BleReader("AA:BB:CC:DD:EE:FF", "00002a37-0000-1000-8000-00805f9b34fb")
