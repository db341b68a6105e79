"""A bedside workstation for the remote-beds tests, run as its own process.

    python -m tests.monitoring.remote_bedside URL DATA_DIR WORKSTATION

Opens the clinic on the server, monitors "Bed 1" from a pty simulator through the real
device reader, and publishes it with ``BedsideBroadcaster``. Prints "ready", every new
alarm ("alarm <text>"), every tone ("tone <priority>") and the broadcaster's messages
("status <text>"). Reads commands on stdin: "pr N" (the simulated pulse rate), "quit".
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QTimer

from hms_desktop.devices.simulator import PtySimulator
from hms_desktop.devices.sources import DeviceSource
from hms_desktop.domain.alarm_limits import Priority
from hms_desktop.domain.monitoring import Bed
from hms_desktop.domain.patient import Patient
from hms_desktop.monitoring.remote import board_rows
from hms_desktop.monitoring.sound import RecordingSound
from hms_desktop.monitoring.station import MonitoringStation
from hms_desktop.services.remote_beds import BedsideBroadcaster
from hms_desktop.services.session import close_session, open_session

PROTOCOL = "cms50-legacy"


def say(text: str) -> None:
    print(text, flush=True)


class Writer:
    """Stands in for ctx.run: work on one background thread, callbacks on the main thread."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="writer")
        self.done: queue.Queue[Callable[[], Any]] = queue.Queue()

    def run(self, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], Any] | None = None,
            on_error: Callable[[BaseException], Any] | None = None, what: str = "", **kw: Any) -> None:
        def finished(future: Future[Any]) -> None:
            exc = future.exception()
            if exc is not None:
                self.done.put(lambda: on_error(exc) if on_error else say(f"status {what} failed: {exc}"))
            elif on_done is not None:
                self.done.put(lambda: on_done(future.result()))

        self._pool.submit(fn, *args, **kw).add_done_callback(finished)

    def drain(self) -> None:
        while True:
            try:
                self.done.get_nowait()()
            except queue.Empty:
                return

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self.drain()


class LoudSound(RecordingSound):
    def play(self, priority: Priority) -> None:
        super().play(priority)
        say(f"tone {priority.value}")


def main(url: str, data_dir: str, workstation: str) -> None:
    app = QCoreApplication([])
    session = open_session(Path(data_dir), database=url)
    services = session.services
    patient = services.patients.register_many(
        [Patient(given_name="Remote", family_name="Bedside", date_of_birth=date(1950, 5, 5))],
        check_phones=False)[0]
    services.monitoring.add_beds([Bed(id="BED01", name="Bed 1", position=0)])
    limits = services.monitoring.limits_for(patient.id).model_copy(update={"id": patient.id, "pr_delay_s": 0.0})
    services.monitoring.set_limits(patient.id, limits)

    writer = Writer()
    sim = PtySimulator(PROTOCOL, spo2=97, pr=72)
    sim.start()
    source = DeviceSource(sim.port, PROTOCOL)
    station = MonitoringStation(services.monitoring, writer.run, sound=LoudSound(), user="nurse.bedside",
                                patient_name=lambda _pid: "Remote Bedside")
    station.start()
    station.start_monitoring("BED01", patient.id, sim.port, PROTOCOL, source=source)
    broadcaster = BedsideBroadcaster(url, lambda: board_rows(station, workstation), workstation=workstation,
                                     say=lambda text: say(f"status {text}"))
    broadcaster.start()

    seen: set[str] = set()

    def every_tick() -> None:
        writer.drain()
        for _bed, alarm in station.alarms():
            if alarm.alarm_id not in seen and alarm.ended_at is None:
                seen.add(alarm.alarm_id)
                say(f"alarm {alarm.text}")

    commands: queue.Queue[str] = queue.Queue()

    def read_stdin() -> None:
        for line in sys.stdin:
            commands.put(line.strip())
        commands.put("quit")

    def obey() -> None:
        while not commands.empty():
            command = commands.get()
            if command.startswith("pr "):
                sim.set_values(pr=int(command.split()[1]))
            elif command == "quit":
                app.quit()

    timer = QTimer()
    timer.timeout.connect(every_tick)
    timer.timeout.connect(obey)
    timer.start(50)
    threading.Thread(target=read_stdin, name="stdin", daemon=True).start()
    say("ready")
    app.exec()
    timer.stop()
    broadcaster.stop()
    station.stop()
    writer.close()
    sim.stop()
    close_session(session)
    say("bye")


if __name__ == "__main__":
    main(*sys.argv[1:4])
