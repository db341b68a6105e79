"""Bluetooth LE wearables and oximeters through bleak (optional extra: ``pip install '.[ble]'``).

bleak is asyncio-based, so each BleReader runs its own event loop on its own QThread and
hands readings to Qt by signal, exactly like the serial DeviceReader (same signals, same
states, same batching). The bytes of each notification go to the pure parsers in
``protocols/ble_gatt.py``, which are tested without a radio.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from PySide6.QtCore import QObject

from hms_desktop.devices.batching import BatchGate
from hms_desktop.devices.protocols.ble_gatt import GATT_PARSERS, NotificationConsumer
from hms_desktop.devices.reader import BACKOFF_S, MAX_BATCHES_PER_S
from hms_desktop.devices.worker import ThreadedReader

try:  # optional: the app runs without Bluetooth LE support
    import bleak
except ImportError:  # pragma: no cover - depends on the installed extras
    bleak = None

BLE_AVAILABLE = bleak is not None
BLE_HINT = "Bluetooth LE needs the optional extra: pip install '.[ble]'"


async def scan(timeout_s: float = 5.0) -> list[tuple[str, str]]:
    """(address, name) of advertising devices; run it on a worker, never the GUI thread."""
    if bleak is None:
        raise RuntimeError(BLE_HINT)
    devices = await bleak.BleakScanner.discover(timeout=timeout_s)
    return [(d.address, d.name or d.address) for d in devices]


class BleReader(ThreadedReader):
    """Subscribes to one characteristic of one device until ``stop()``."""

    def __init__(self, address: str, characteristic: str, *, no_data_after_s: float = 3.0,
                 parent: QObject | None = None) -> None:
        if bleak is None:
            raise RuntimeError(BLE_HINT)
        characteristic = characteristic.lower()
        if characteristic not in GATT_PARSERS:
            raise ValueError(f"no parser for characteristic {characteristic} "
                             f"(known: {', '.join(GATT_PARSERS)})")
        super().__init__(f"ble_reader:{address}", parent)
        self.address = address
        self.characteristic = characteristic
        self.no_data_after_s = no_data_after_s

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        attempt = 0
        self._set_state("connecting")
        while not self._stop.is_set():
            try:
                async with bleak.BleakClient(self.address) as client:
                    attempt = 0
                    await self._stream(client)
            except (TimeoutError, bleak.exc.BleakError, OSError) as exc:
                self._set_error(str(exc))
            if self._stop.is_set():
                break
            self._lost(self.last_error or "device disconnected")
            resume = time.monotonic() + BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)]
            while time.monotonic() < resume and not self._stop.is_set():
                await asyncio.sleep(0.05)  # short steps, so stop() is prompt
            attempt += 1
        self._set_state("stopped")

    async def _stream(self, client: Any) -> None:
        parser = GATT_PARSERS[self.characteristic]()
        gate = BatchGate(self.no_data_after_s, time.monotonic(), max_per_s=MAX_BATCHES_PER_S)
        received: list[bytes] = []  # bleak calls back on this thread's event loop: no lock needed

        def on_notify(_sender: object, data: bytearray) -> None:
            received.append(bytes(data))

        await client.start_notify(self.characteristic, on_notify)
        try:
            while client.is_connected and not self._stop.is_set():
                await asyncio.sleep(gate.period_s)
                now = time.monotonic()
                if received:  # a tick's notifications in one call (each still parsed alone)
                    notifications = received[:]
                    received.clear()
                    self._parse(parser, notifications, gate, now)
                batch = gate.take(now)
                if batch:
                    self._emit_readings(batch)
                if gate.silent(now):
                    self._no_data()
        finally:
            if client.is_connected:
                await client.stop_notify(self.characteristic)

    def _parse(self, parser: NotificationConsumer, notifications: list[bytes], gate: BatchGate,
               now: float) -> None:
        dropped, bad = parser.dropped_bytes, parser.bad_frames
        readings = parser.feed_notifications(notifications)
        self.dropped_bytes += parser.dropped_bytes - dropped
        if parser.bad_frames != bad:
            self.bad_frames += parser.bad_frames - bad
            self.last_bad_frame = parser.rejected[-1]
        gate.add(readings, now)
        if readings:
            self._set_state("streaming")
