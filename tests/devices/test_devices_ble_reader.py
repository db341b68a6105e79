"""BleReader end to end with a stand-in for bleak (no radio here): batching and statistics.

The stand-in plays a heart-rate strap: it calls the notification callback on the reader's
own event loop, as bleak does, with valid notifications and, now and then, one whose heart
rate no sensor can produce.
"""

from __future__ import annotations

import asyncio
import types
from typing import Any

import pytest

import hms_desktop.devices.ble as ble
from hms_desktop.devices.protocols.ble_gatt import HEART_RATE_MEASUREMENT, encode_heart_rate

NOTIFICATIONS = [encode_heart_rate(70 + i % 5, rr_s=(0.85,)) for i in range(40)]
IMPOSSIBLE = encode_heart_rate(400)  # uint16 heart rate 400/min


class FakeClient:
    def __init__(self, address: str) -> None:
        self.address = address
        self.is_connected = True
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> FakeClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()

    async def start_notify(self, characteristic: str, callback: Any) -> None:
        async def strap() -> None:
            for i, data in enumerate(NOTIFICATIONS):
                callback(characteristic, bytearray(IMPOSSIBLE if i % 10 == 9 else data))
                await asyncio.sleep(0.005)

        self._task = asyncio.get_running_loop().create_task(strap())

    async def stop_notify(self, characteristic: str) -> None:
        pass


@pytest.fixture
def fake_bleak(monkeypatch):  # type: ignore[no-untyped-def]
    fake = types.SimpleNamespace(BleakClient=FakeClient,
                                 exc=types.SimpleNamespace(BleakError=RuntimeError))
    monkeypatch.setattr(ble, "bleak", fake)
    return fake


def test_ble_reader_delivers_readings_and_counts_impossible_ones(fake_bleak, qapp, qtbot) -> None:  # type: ignore[no-untyped-def]
    reader = ble.BleReader("AA:BB:CC:DD:EE:FF", HEART_RATE_MEASUREMENT)
    batches: list[tuple[Any, ...]] = []
    reader.sig_readings_received.connect(batches.append)
    reader.start()
    try:
        # The last bad frame may be counted just after the last reading arrives: wait for both.
        qtbot.waitUntil(lambda: sum(map(len, batches)) >= 36 and reader.statistics()["bad_frames"] >= 4,
                        timeout=5000)
        readings = [r for batch in batches for r in batch]
        assert {r.heart_rate for r in readings} <= {70, 71, 72, 73, 74}
        stats = reader.statistics()
        assert stats["bad_frames"] == 4 and stats["readings"] == 36
        assert "heart rate 400" in str(stats["last_bad_frame"])
        assert len(batches) < 36  # batched on the 1/30 s tick, not one signal per notification
    finally:
        reader.stop()
    assert not reader.is_running()
