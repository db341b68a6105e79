"""The device-source factory: a bed's readings come from a real device reader, the demo
device, or a synthetic feed (moved here from ui/monitor so the monitoring core and the
station share one factory; the pure port names live in ``devices.simulated``).

Every source looks like ``hms_desktop.devices.reader.DeviceReader``: ``sig_readings_received``
(tuple of Reading per batch), ``sig_state_changed`` (str), ``start()``, ``stop()``.
``SyntheticOximeter`` generates a plausible pleth on a GUI-thread timer; it lets the tab,
tests and benchmarks run without a serial port.
"""

from __future__ import annotations

import math
import time
from collections import deque
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from hms_desktop.devices.simulated import DEMO_PORT
from hms_desktop.devices.worker import ThreadSink
from hms_desktop.domain.readings import DeviceFlag, Reading

__all__ = ["DEMO_PORT", "DeviceSource", "ReadingSource", "SyntheticOximeter", "open_source"]

#: Bluetooth LE "protocols": the port is the device address, the reader subscribes to this
#: characteristic (devices/protocols/ble_gatt.py) through BleReader.
BLE_PROTOCOLS = {
    "ble-plx": "00002a5f-0000-1000-8000-00805f9b34fb",       # PLX continuous (SpO2, PR)
    "ble-berrymed": "49535343-1e4d-4bd9-ba61-23c647249616",  # BerryMed BM1000 (pleth too)
    "ble-heart-rate": "00002a37-0000-1000-8000-00805f9b34fb",  # heart rate straps / watches
}


class ReadingSource(Protocol):
    sig_readings_received: Any
    sig_state_changed: Any

    def start(self) -> None: ...

    def stop(self) -> None: ...


class SyntheticOximeter(QObject):
    """A pulse-shaped pleth at ``rate_hz`` in batches of ``batch_hz``, with settable values."""

    sig_readings_received = Signal(object)
    """A tuple[Reading, ...] batch."""
    sig_state_changed = Signal(str)
    """connecting, streaming, no_data, stopped."""

    def __init__(self, *, spo2: int | None = 97, pulse_rate: int | None = 72, rate_hz: float = 60.0,
                 batch_hz: float = 30.0, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("synthetic_oximeter")
        self.spo2, self.pulse_rate = spo2, pulse_rate
        self.flags: frozenset[DeviceFlag] = frozenset()
        self.rate_hz = rate_hz
        self.stalled = False
        self._timer = QTimer(self)
        self._timer.setInterval(int(1000 / batch_hz))
        self._timer.timeout.connect(self._emit_batch)
        self._phase = 0.0
        self._last: float | None = None
        self._carry = 0.0
        self.sent_at: deque[float] = deque(maxlen=256)  # perf_counter of recent batches (latency)

    def start(self) -> None:
        self.sig_state_changed.emit("connecting")
        self._last = time.perf_counter()
        self._timer.start()
        self.sig_state_changed.emit("streaming")

    def stop(self) -> None:
        self._timer.stop()
        self.sig_state_changed.emit("stopped")

    def stall(self, stalled: bool = True) -> None:
        """Stop sending (an unplugged cable looks like this to the reader)."""
        self.stalled = stalled
        self.sig_state_changed.emit("no_data" if stalled else "streaming")

    def make_batch(self, n: int) -> tuple[Reading, ...]:
        out = []
        hr = (self.pulse_rate or 72) / 60.0
        finger_out = DeviceFlag.FINGER_OUT in self.flags
        for _ in range(n):
            self._phase = (self._phase + hr / self.rate_hz) % 1.0
            p = self._phase
            wave = 0.0 if finger_out else (
                0.15 + 0.7 * math.exp(-((p - 0.15) / 0.08) ** 2) + 0.2 * math.exp(-((p - 0.45) / 0.1) ** 2))
            out.append(Reading(spo2=None if finger_out else self.spo2,
                               pulse_rate=None if finger_out else self.pulse_rate,
                               perfusion_index=None if finger_out else 4.2, pleth=(wave,),
                               signal_strength=0 if finger_out else 7, flags=self.flags))
        return tuple(out)

    def _emit_batch(self) -> None:
        now = time.perf_counter()
        elapsed = now - (self._last or now)
        self._last = now
        if self.stalled:
            return
        self._carry += elapsed * self.rate_hz
        n = int(self._carry)
        self._carry -= n
        if n:
            self.sent_at.append(now)
            self.sig_readings_received.emit(self.make_batch(n))


class DeviceSource(QObject):
    """A real ``DeviceReader`` on a port, a ``BleReader`` on a Bluetooth LE address, or the
    devices package's demo simulator behind a pty."""

    sig_readings_received = Signal(object)
    """Forwarded batch from the reader."""
    sig_state_changed = Signal(str)
    """Forwarded reader state."""

    def __init__(self, port: str, protocol: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"device_source:{port}")
        self._sim: Any = None
        self.reader: Any
        if protocol in BLE_PROTOCOLS:
            from hms_desktop.devices.ble import (
                BleReader,  # raises with an install hint without bleak
            )

            self.reader = BleReader(port, BLE_PROTOCOLS[protocol], parent=self)
        else:
            from hms_desktop.devices.reader import DeviceReader  # devices layer: loaded when used

            if port == DEMO_PORT:
                from hms_desktop.devices.simulator import start_demo_device

                self._sim = start_demo_device(protocol)
                port = self._sim.port
            self.reader = DeviceReader(port, protocol, parent=self)
        self.reader.sig_readings_received.connect(self.sig_readings_received)
        self.reader.sig_state_changed.connect(self.sig_state_changed)

    def set_thread_sink(self, sink: ThreadSink | None) -> None:
        """Batches, states and problems on the reader thread too (the monitoring core)."""
        self.reader.set_thread_sink(sink)

    def start(self) -> None:
        self.reader.start()

    def stop(self) -> None:
        self.reader.stop()
        if self._sim is not None:
            self._sim.stop()
            self._sim = None


def open_source(port: str, protocol: str) -> ReadingSource:
    """The default way a bed gets its readings."""
    return DeviceSource(port, protocol)
