"""Remote beds in the window: the bedside publishes its beds, the nurse station shows everyone's.

On a clinic server every workstation that monitors beds publishes them and answers
acknowledge requests for them (``share_monitored_beds``, started by the app when the
context is ready); View ▸ Remote beds… opens ``RemoteBedsWindow`` (``open_remote_beds``),
the board of every bed in the clinic with its numerics, its worst alarm and "Bed N: no data
from <workstation>" when a bedside went silent (services/remote_beds.py), and below it
every remote alarm with Acknowledge (``remote_alarm_panel.py``, services/remote_alarms.py).
While the window is open the station sounds those alarms through its own monitoring core.
Nothing here touches the monitoring core's timing: publisher, watcher and acknowledge
requests run on threads of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QCloseEvent, QColor
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.domain.accounts import Permission
from hms_desktop.domain.alarm_limits import Priority
from hms_desktop.monitoring.audio_policy import PAUSE_MAX_S
from hms_desktop.services.backup.server import server_address
from hms_desktop.services.remote_alarms import (
    ACK_TIMEOUT_S,
    BedsideAcknowledgements,
    RemoteAcknowledger,
    RemoteAlarm,
    RemoteAlarmBoard,
)
from hms_desktop.services.remote_beds import (
    BedsideBroadcaster,
    RemoteBed,
    StationWatcher,
    workstation_name,
)
from hms_desktop.storage.postgres.alarm_requests import AckRequest
from hms_desktop.ui.common.naming import named
from hms_desktop.ui.context import AppContext
from hms_desktop.ui.monitor.patient_names import HIDDEN_PATIENT
from hms_desktop.ui.monitor.remote_alarm_panel import (
    ALARM_COLOURS,
    Acknowledger,
    Audit,
    RemoteAlarmPanel,
)

COLUMNS = ("Bed", "Workstation", "Patient", "SpO₂ %", "PR /min", "Alarm", "Status")
_STALE = QColor("#e0e0e0")


class RemoteSounding(Protocol):
    """The station's monitoring core (``StationCore.set_remote_alarms``): remote alarms sound
    through its one audio decision and speaker, with the local ones."""

    def set_remote_alarms(self, sounding: Sequence[tuple[str, Priority]]) -> None: ...

    def pause_audio(self, seconds: float | None = None) -> None: ...


@dataclass
class BedSharing:
    """What a workstation on a server runs for the beds it monitors."""

    broadcaster: BedsideBroadcaster
    acknowledgements: BedsideAcknowledgements

    def stop(self) -> None:
        self.acknowledgements.stop()
        self.broadcaster.stop()


def share_monitored_beds(ctx: AppContext, workstation: str | None = None) -> BedSharing | None:
    """On a server, publish the beds this workstation monitors and answer nurse stations'
    acknowledge requests for them, until the context closes."""
    address = server_address(ctx.store)
    if address is None or ctx.store.read_only:
        return None
    workstation = workstation or workstation_name()
    from hms_desktop.monitoring.remote import acknowledge_from_station, board_rows

    def snapshot() -> list[Any]:
        controller = ctx.monitor_controller
        return board_rows(controller.core, workstation) if controller is not None else []

    def apply(request: AckRequest) -> str:
        controller = ctx.monitor_controller
        if controller is None:
            return "this workstation monitors no beds"
        return acknowledge_from_station(controller.core)(request)

    broadcaster = BedsideBroadcaster(address, snapshot, workstation=workstation,
                                     say=ctx.sig_status_posted.emit)
    acknowledgements = BedsideAcknowledgements(address, workstation, apply,
                                               on_applied=broadcaster.publish_now)
    broadcaster.start()
    acknowledgements.start()
    sharing = BedSharing(broadcaster, acknowledgements)
    ctx.sig_closing.connect(sharing.stop)
    return sharing


def open_remote_beds(ctx: AppContext, address: str, workstation: str | None = None) -> RemoteBedsWindow:
    """View ▸ Remote beds… at a nurse station: remote alarms sound through this window's
    monitoring core and are acknowledged under the signed-in user, with the access log."""
    from hms_desktop.ui.monitor.monitor_tab import build_controller

    station: RemoteSounding | None = None
    if ctx.session.holds_folder_lock:
        controller = build_controller(ctx)
        controller.start()
        station = controller.core
    window: RemoteBedsWindow | None = None

    def who(permission: Permission = Permission.ACKNOWLEDGE_ALARMS) -> str:
        hidden = window is not None and window.patients_hidden
        return str(ctx.services.monitoring.acknowledger(at_lock_screen=hidden, permission=permission))

    def audit(action: str, patient_id: str, detail: str) -> None:
        ctx.run(ctx.services.access.record, action, patient_id=patient_id, detail=detail,
                what="the access log line of a remote acknowledge")

    window = RemoteBedsWindow(address, workstation=workstation or workstation_name(), station=station,
                              acknowledger=who, audio_pauser=lambda: who(Permission.PAUSE_ALARM_AUDIO),
                              audit=audit)
    return window


class RemoteBedsWindow(QWidget):
    """Every bed published to the clinic server, refreshed twice a second, and their alarms."""

    sig_beds_read = Signal(object, object)
    """(list[RemoteBed], list[RemoteAlarm]) from the watcher's thread (queued to the GUI thread)."""
    sig_problem = Signal(str)

    def __init__(self, conninfo: str, *, workstation: str | None = None, station: RemoteSounding | None = None,
                 acknowledger: Acknowledger | None = None, audio_pauser: Acknowledger | None = None,
                 audit: Audit | None = None, ack_timeout: float = ACK_TIMEOUT_S,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        named(self, "remote_beds_window", "Remote beds")
        self.setWindowTitle("Remote beds — HMS Desktop")
        self.patients_hidden = False
        self.table = QTableWidget(0, len(COLUMNS))
        named(self.table, "remote_beds_table", "Remote beds")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.problem = QLabel("")
        named(self.problem, "remote_beds_problem", "Remote beds problem")
        self.problem.setWordWrap(True)
        self.station = station
        self.board = RemoteAlarmBoard(workstation or workstation_name())
        self.alarm_panel = RemoteAlarmPanel(
            RemoteAcknowledger(conninfo, self.board.own_workstation, timeout=ack_timeout),
            acknowledge_here=self._acknowledge_here, acknowledger=acknowledger, audit=audit,
            pause_audio=self._pause_audio if station is not None and audio_pauser is not None else None,
            on_changed=lambda: self.watcher.read_soon())
        self.audio_pauser = audio_pauser
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.alarm_panel, 1)
        layout.addWidget(self.problem)
        self.resize(900, 560)
        self.sig_beds_read.connect(self.show_beds)
        self.sig_problem.connect(self.problem.setText)
        self.watcher = StationWatcher(conninfo, self._beds_read, on_problem=self.sig_problem.emit)
        self.watcher.start()

    def _beds_read(self, beds: list[RemoteBed]) -> None:
        """On the watcher's thread: alarms and sounding are decided here, so a busy GUI thread
        delays only what the screen shows, never a remote alarm's tone."""
        alarms = self.board.update(beds)
        self._sound()
        self.sig_beds_read.emit(beds, alarms)

    def _sound(self) -> None:
        if self.station is not None:
            self.station.set_remote_alarms(self.board.sounding())

    def _pause_audio(self) -> str:
        """The station's audio pause (its local and remote alarms sounding now); raises
        PermissionError for a role without *pause alarm audio*."""
        assert self.station is not None and self.audio_pauser is not None
        who = self.audio_pauser()
        self.station.pause_audio()
        return (f"Audio paused for {PAUSE_MAX_S / 60:.0f} min by {who}: the alarms sounding now at this "
                "station, local and remote (a new alarm still sounds)")

    def _acknowledge_here(self, alarm: RemoteAlarm, by: str) -> bool:
        done = self.board.acknowledge_here(alarm, by)
        self._sound()
        return done

    def show_beds(self, beds: list[RemoteBed], alarms: list[RemoteAlarm] | None = None) -> None:
        self.table.setRowCount(len(beds))
        if all(not b.stale for b in beds):
            self.problem.setText("")
        for row, bed in enumerate(beds):
            r = bed.row
            patient = HIDDEN_PATIENT if self.patients_hidden and r.patient_id else r.patient_name or r.patient_id
            values = (r.bed_name, r.workstation, patient, _number(r.spo2),
                      _number(r.pulse_rate), r.alarm if not bed.stale else f"⚠ {bed.problem}",
                      r.device_state if not bed.stale else "no data")
            colour = _STALE if bed.stale else ALARM_COLOURS.get(r.alarm_priority)
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if colour is not None:
                    item.setBackground(QBrush(colour))
                self.table.setItem(row, column, item)
        if alarms is not None:
            self.alarm_panel.show_alarms(alarms)

    def set_patients_hidden(self, hidden: bool) -> None:
        """The main window is locked: no patient name or ID (``session_gate.hide_companion_patients``);
        alarms are still shown, sounded and may be answered (recorded as at the lock screen)."""
        self.patients_hidden = self.alarm_panel.patients_hidden = hidden
        self.alarm_panel.show_alarms(self.alarm_panel.alarms)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.watcher.stop()
        self.alarm_panel.stop()
        if self.station is not None:  # closed: this station no longer sounds remote beds
            self.station.set_remote_alarms([])
        super().closeEvent(event)


def _number(value: int | None) -> str:
    return "---" if value is None else str(value)
