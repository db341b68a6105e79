"""Pty feeds for bench/monitor.py: 16 pseudo-terminals written at 60 frames/s (CMS50 V7).

One writer thread encodes a frame per bed every 1/60 s with the devices package's own
encoder. The pleth value carries the frame number modulo 128 (a 7-bit sawtooth), and the
write time of each residue is kept, so the newest sample in a curve names the frame it came
from: latency is measured from its bytes on the wire to it being in the curve's data, even
when frames are lost before the reader opens the port.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from hms_desktop.domain.readings import Reading

RATE_HZ = 60.0
STAMPS = 128  # 7-bit pleth: frame numbers repeat every 128 frames (2.1 s at 60 Hz)


class PtyFeeds:
    def __init__(self, beds: int, protocol: str = "cms50-v7") -> None:
        from hms_desktop.devices.protocols import make_encoder

        self.protocol = protocol
        self._encoders = [make_encoder(protocol) for _ in range(beds)]
        self._pairs = [os.openpty() for _ in range(beds)]
        for master, _slave in self._pairs:
            os.set_blocking(master, False)
        self.written: list[list[float]] = [[0.0] * STAMPS for _ in range(beds)]  # by frame % 128
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-pty-feeds", daemon=True)
        self._thread.start()

    @property
    def native_id(self) -> int | None:
        """The writer thread's id, so the bench can leave its CPU out of the app's."""
        return self._thread.native_id

    def port(self, i: int) -> str:
        return os.ttyname(self._pairs[i][1])

    def open_source(self, port: str, protocol: str) -> Any:
        from hms_desktop.devices.sources import DeviceSource

        return DeviceSource(port, protocol)

    def sent_time(self, bed_id: str, monitor: Any) -> float | None:
        value = monitor.sweep.latest()
        if value is None:
            return None
        stamp = self.written[int(bed_id[3:]) - 1][round(value * (STAMPS - 1)) % STAMPS]
        return stamp or None

    def _run(self) -> None:
        n = 0
        start = time.perf_counter()
        while not self._stop.is_set():
            wave = (n % STAMPS) / (STAMPS - 1)
            for i, (master, _slave) in enumerate(self._pairs):
                data = self._encoders[i].encode(Reading(spo2=95, pulse_rate=72, pleth=(wave,), signal_strength=7))
                try:
                    os.write(master, data)
                    self.written[i][n % STAMPS] = time.perf_counter()
                except BlockingIOError:
                    pass  # reader not draining yet: the frame is lost, as on a real wire
                try:
                    os.read(master, 4096)  # drain the reader's start / keep-alive commands
                except (BlockingIOError, OSError):
                    pass
            n += 1
            delay = start + n / RATE_HZ - time.perf_counter()
            if delay > 0:
                time.sleep(delay)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        for master, slave in self._pairs:
            os.close(master)
            os.close(slave)
