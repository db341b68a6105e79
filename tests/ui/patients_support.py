"""A real application context for the patient widget tests (real store, services, writer thread).

Stands in for ``hms_desktop.ui.context.AppContext`` (docs/contracts.md) until the shell lands;
it follows the same contract: ``run`` executes on the background writer and calls back on the
GUI thread, ``changes.sig_changed`` re-emits bus changes on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

from hms_desktop.services.container import build_services
from hms_desktop.services.writer import BackgroundWriter
from hms_desktop.storage import Store


class _Changes(QObject):
    sig_changed = Signal(object)


class _CurrentPatient(QObject):
    sig_patient_changed = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.patient_id = ""

    def select(self, patient_id: str) -> None:
        if patient_id != self.patient_id:
            self.patient_id = patient_id
            self.sig_patient_changed.emit(patient_id)


class _Marshal(QObject):
    sig_done = Signal(object, object)

    def __init__(self) -> None:
        super().__init__()
        self.sig_done.connect(lambda cb, value: cb(value), Qt.ConnectionType.QueuedConnection)


class PatientsTestContext:
    def __init__(self, data_dir: Path) -> None:
        self.store = Store(data_dir, actor="tester")
        self.services = build_services(self.store)
        self.settings = SimpleNamespace(phone_region="GB")
        self.current_patient = _CurrentPatient()
        self.changes = _Changes()
        self.writer = BackgroundWriter()
        self.errors: list[BaseException] = []
        self._marshal = _Marshal()
        self.services.bus.subscribe(lambda change: self.changes.sig_changed.emit(change))

    def run(self, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None, what: str = "", **kw: Any) -> None:
        def finished(future: Any) -> None:
            error = future.exception()
            if error is not None:
                self.errors.append(error)
                if on_error is not None:
                    self._marshal.sig_done.emit(on_error, error)
            elif on_done is not None:
                self._marshal.sig_done.emit(on_done, future.result())

        self.writer.submit(fn, *args, **kw).add_done_callback(finished)

    def close(self) -> None:
        self.writer.shutdown()
        self.store.close()
