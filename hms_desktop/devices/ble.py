"""Bluetooth LE wearables and oximeters through bleak (optional extra: ``pip install '.[ble]'``).

bleak is asyncio-based, so each BleReader runs its own event loop on its own QThread and
hands readings to Qt by signal, exactly like the serial DeviceReader (same signals, same
states, same batching). The bytes of each notification go to the pure parsers in
``protocols/ble_gatt.py``, which are tested without a radio.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal

from hms_desktop.devices.batching import BatchGate
from hms_desktop.devices.protocols.ble_gatt import GATT_PARSERS
from hms_desktop.devices.reader import BACKOFF_S, DISCONNECTED_READING, MAX_BATCHES_PER_S
from hms_desktop.domain.readings import Reading

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


class BleReader(QObject):
    """Subscribes to one characteristic of one device until ``stop()``."""

    sig_readings_received = Signal(object)
    """A tuple[Reading, ...] batch, at most ~30 per second."""
    sig_state_changed = Signal(str)
    """connecting, streaming, no_data, disconnected or stopped."""

    def __init__(self, address: str, characteristic: str, *, no_data_after_s: float = 3.0,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        if bleak is None:
            raise RuntimeError(BLE_HINT)
        characteristic = characteristic.lower()
        if characteristic not in GATT_PARSERS:
            raise ValueError(f"no parser for characteristic {characteristic} "
                             f"(known: {', '.join(GATT_PARSERS)})")
        self.setObjectName(f"ble_reader:{address}")
        self.address = address
        self.characteristic = characteristic
        self.no_data_after_s = no_data_after_s
        self.state = "stopped"
        self.last_error = ""
        self._stop = threading.Event()
        self._thread = _BleThread(self)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

    def start(self) -> None:
        if not self._thread.isRunning():
            self._stop.clear()
            self._thread.start()

    def stop(self) -> None:
        """Disconnects and ends the loop; returns after the thread has finished."""
        self._stop.set()
        self._thread.wait()
        self._set_state("stopped")

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.sig_state_changed.emit(state)

    async def _main(self) -> None:
        attempt = 0
        self._set_state("connecting")
        while not self._stop.is_set():
            try:
                async with bleak.BleakClient(self.address) as client:
                    attempt = 0
                    await self._stream(client)
            except (TimeoutError, bleak.exc.BleakError, OSError) as exc:
                self.last_error = str(exc)
            if self._stop.is_set():
                break
            if self.state != "disconnected":
                self._set_state("disconnected")
                self.sig_readings_received.emit((DISCONNECTED_READING,))
            await asyncio.sleep(BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)])
            attempt += 1
        self._set_state("stopped")

    async def _stream(self, client: Any) -> None:
        parser = GATT_PARSERS[self.characteristic]()
        gate = BatchGate(self.no_data_after_s, time.monotonic(), max_per_s=MAX_BATCHES_PER_S)

        def on_notify(_sender: object, data: bytearray) -> None:
            readings: list[Reading] = parser.feed(bytes(data))  # type: ignore[attr-defined]
            gate.add(readings, time.monotonic())
            if readings:
                self._set_state("streaming")

        await client.start_notify(self.characteristic, on_notify)
        try:
            while client.is_connected and not self._stop.is_set():
                await asyncio.sleep(gate.period_s)
                now = time.monotonic()
                batch = gate.take(now)
                if batch:
                    self.sig_readings_received.emit(batch)
                if gate.silent(now) and self.state != "no_data":
                    self._set_state("no_data")
                    self.sig_readings_received.emit((DISCONNECTED_READING,))
        finally:
            if client.is_connected:
                await client.stop_notify(self.characteristic)


class _BleThread(QThread):
    def __init__(self, reader: BleReader) -> None:
        super().__init__(reader)
        self._reader = reader

    def run(self) -> None:
        asyncio.run(self._reader._main())
