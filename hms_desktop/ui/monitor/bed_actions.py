"""What both the Monitor tab and the kiosk station offer on a bed: start monitoring, alarm
limits, default limits, add a bed. One implementation, so the kiosk's buttons do what the
tab's do (issue 11 item 14: in the kiosk "Alarm limits…" and "Start monitoring…" did nothing).

Dialogs open non-modally (``open()``): live monitoring keeps drawing and alarming behind them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QInputDialog, QWidget

from hms_desktop.domain.alarm_limits import DEFAULT_LIMITS_ID
from hms_desktop.ui.monitor.bed_naming import BedNameError, new_bed
from hms_desktop.ui.monitor.controller import StationController
from hms_desktop.ui.monitor.dialogs import ConnectDialog, LimitsDialog

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext

Say = Callable[[str], None]


def patient_check(ctx: AppContext | None) -> Callable[[str], bool] | None:
    """``patients.get`` (a dictionary look-up); None without a context (a bare kiosk)."""
    if ctx is None:
        return None
    patients = ctx.services.patients
    return lambda patient_id: patients.get(patient_id) is not None


class BedActions(QObject):
    def __init__(self, controller: StationController, window: QWidget, *, say: Say,
                 current_patient: Any = None, patient_exists: Callable[[str], bool] | None = None) -> None:
        super().__init__(window)
        self.setObjectName("bed_actions")
        self.controller = controller
        self.say = say
        self.current_patient = current_patient
        self.patient_exists = patient_exists
        self.dialog: QWidget | None = None  # the open dialog (one at a time), for tests and focus

    @property
    def window(self) -> QWidget:
        """The window the dialogs belong to: the Qt parent, not a Python attribute, so the
        window (which keeps this object) and this object form no reference cycle."""
        parent = self.parent()
        assert isinstance(parent, QWidget)
        return parent

    def attach(self, bed_view: Any) -> None:
        """The bed view's "Start monitoring on this bed…" and "Alarm limits…" buttons."""
        bed_view.sig_connect_requested.connect(self.start_monitoring)
        bed_view.sig_limits_requested.connect(self.edit_limits)

    def start_monitoring(self, bed: str = "") -> ConnectDialog:
        monitors = self.controller.monitors
        free = [b for b, m in monitors.items() if m.session is None]
        patient = self.current_patient.patient_id if self.current_patient is not None else ""
        dialog = ConnectDialog(free, bed=bed, patient_id=patient, patient_exists=self.patient_exists,
                               bed_names={b: m.bed.name for b, m in monitors.items()}, parent=self.window)

        def accepted() -> None:
            choice = dialog.values()
            self.controller.start_monitoring(bed_id=choice.bed, patient_id=choice.patient,
                                             port=choice.port, protocol=choice.protocol)

        dialog.accepted.connect(accepted)
        self._open(dialog)
        return dialog

    def edit_limits(self, bed_id: str) -> LimitsDialog:
        mon = self.controller.monitors[bed_id]
        dialog = LimitsDialog(mon.patient_id, mon.engine.limits, parent=self.window)

        def accepted() -> None:
            if dialog.result_limits is not None:
                self.controller.set_limits(bed_id, dialog.result_limits)

        dialog.accepted.connect(accepted)
        self._open(dialog)
        return dialog

    def edit_defaults(self) -> LimitsDialog:
        """Clinic-wide limits: used for every patient without limits of their own."""
        service = self.controller.service
        dialog = LimitsDialog(DEFAULT_LIMITS_ID, service.limits_for(""), parent=self.window)

        def accepted() -> None:
            if dialog.result_limits is not None:
                self.controller.run(service.set_limits, "", dialog.result_limits,
                                    what="default alarm limits")

        dialog.accepted.connect(accepted)
        self._open(dialog)
        return dialog

    def add_bed(self, text: str | None = None) -> None:
        """Ask for a name ("Bed 9", or just 9); refused names are said in a plain sentence."""
        if text is None:
            text, ok = QInputDialog.getText(self.window, "Add bed", "Bed name or number (e.g. Bed 9):")
            if not ok:
                return
        existing = [m.bed for m in self.controller.monitors.values()]
        try:
            bed = new_bed(text, existing)
        except BedNameError as exc:
            self.say(str(exc))
            return
        self.controller.run(self.controller.service.add_beds, [bed],
                            on_done=lambda _r: self.controller.reload_beds(), what=bed.name)
        self.say(f"Added {bed.name}")

    def _open(self, dialog: QWidget) -> None:
        self.dialog = dialog
        dialog.finished.connect(dialog.deleteLater)  # type: ignore[attr-defined]
        dialog.open()  # type: ignore[attr-defined]
