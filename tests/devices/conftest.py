"""Simulators and readers that are always stopped, even when a test fails."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QObject, Qt, Signal

from hms_desktop.devices.reader import DeviceReader
from hms_desktop.devices.simulator import PtySimulator


@pytest.fixture
def make_sim() -> Iterator[Callable[..., PtySimulator]]:
    sims: list[PtySimulator] = []

    def make(protocol: str, **options: object) -> PtySimulator:
        sim = PtySimulator(protocol, **options)  # type: ignore[arg-type]
        sims.append(sim)
        sim.start()
        return sim

    yield make
    for sim in sims:
        sim.stop()


class Recorder:
    """Collects what a reader emits, on the GUI thread like a real receiver."""

    def __init__(self, reader: DeviceReader) -> None:
        self.batches: list[tuple[float, tuple[object, ...]]] = []
        self.states: list[str] = []
        reader.sig_readings_received.connect(self._on_batch)
        reader.sig_state_changed.connect(self.states.append)

    def _on_batch(self, batch: tuple[object, ...]) -> None:
        import time

        self.batches.append((time.monotonic(), batch))

    @property
    def readings(self) -> list[object]:
        return [r for _, batch in self.batches for r in batch]


@pytest.fixture
def make_reader(qapp: object) -> Iterator[Callable[..., tuple[DeviceReader, Recorder]]]:
    readers: list[DeviceReader] = []

    def make(port: str, protocol: str, **options: object) -> tuple[DeviceReader, Recorder]:
        reader = DeviceReader(port, protocol, **options)  # type: ignore[arg-type]
        recorder = Recorder(reader)
        readers.append(reader)
        reader.start()
        return reader, recorder

    yield make
    for reader in readers:
        reader.stop()
        # QThreads are invisible to the thread-leak fixture (Python sees them as daemon
        # "dummy" threads), so check them here.
        assert not reader.is_running(), f"{reader.objectName()} still running after stop()"


class _Marker(QObject):
    sig_posted = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.arrived = False
        self.sig_posted.connect(self._arrive, Qt.ConnectionType.QueuedConnection)

    def _arrive(self) -> None:
        self.arrived = True


def deliver_queued(qtbot: object) -> None:
    """Return once every event already queued to the GUI thread has been delivered: a queued
    signal posted now arrives after them (the thread's posted-event queue is first in, first
    out). Replaces "wait 300 ms and hope" before asserting that nothing more arrived."""
    marker = _Marker()
    marker.sig_posted.emit()
    qtbot.waitUntil(lambda: marker.arrived, timeout=10_000)  # type: ignore[attr-defined]
