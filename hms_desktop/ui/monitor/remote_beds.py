"""Remote beds in the window: the bedside publishes its beds, the nurse station shows everyone's.

On a clinic server every workstation that monitors beds publishes them
(``share_monitored_beds``, started by the app when the context is ready); View ▸ Remote
beds… opens ``RemoteBedsWindow``, the board of every bed in the clinic with its numerics,
its worst alarm and "Bed N: no data from <workstation>" when a bedside went silent
(services/remote_beds.py). Nothing here touches the monitoring core's timing: the
publisher reads its state on a thread of its own.
"""

from __future__ import annotations

from typing import Any

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

from hms_desktop.services.backup.server import server_address
from hms_desktop.services.remote_beds import (
    BedsideBroadcaster,
    RemoteBed,
    StationWatcher,
    workstation_name,
)
from hms_desktop.ui.common.naming import named
from hms_desktop.ui.context import AppContext

COLUMNS = ("Bed", "Workstation", "Patient", "SpO₂ %", "PR /min", "Alarm", "Status")
_ALARM_COLOURS = {"high": QColor("#ffcdd2"), "medium": QColor("#fff3c4"), "low": QColor("#e3f2fd")}
_STALE = QColor("#e0e0e0")


def share_monitored_beds(ctx: AppContext) -> BedsideBroadcaster | None:
    """On a server, publish the beds this workstation monitors until the context closes."""
    address = server_address(ctx.store)
    if address is None or ctx.store.read_only:
        return None
    workstation = workstation_name()

    def snapshot() -> list[Any]:
        from hms_desktop.monitoring.remote import board_rows

        controller = ctx.monitor_controller
        return board_rows(controller.core, workstation) if controller is not None else []

    broadcaster = BedsideBroadcaster(address, snapshot, workstation=workstation,
                                     say=ctx.sig_status_posted.emit)
    broadcaster.start()
    ctx.sig_closing.connect(broadcaster.stop)
    return broadcaster


class RemoteBedsWindow(QWidget):
    """Every bed published to the clinic server, refreshed twice a second."""

    sig_beds_read = Signal(object)
    """list[RemoteBed] from the watcher's thread (queued to the GUI thread)."""
    sig_problem = Signal(str)

    def __init__(self, conninfo: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        named(self, "remote_beds_window", "Remote beds")
        self.setWindowTitle("Remote beds — HMS Desktop")
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
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.problem)
        self.resize(900, 400)
        self.sig_beds_read.connect(self.show_beds)
        self.sig_problem.connect(self.problem.setText)
        self.watcher = StationWatcher(conninfo, self.sig_beds_read.emit, on_problem=self.sig_problem.emit)
        self.watcher.start()

    def show_beds(self, beds: list[RemoteBed]) -> None:
        self.table.setRowCount(len(beds))
        if all(not b.stale for b in beds):
            self.problem.setText("")
        for row, bed in enumerate(beds):
            r = bed.row
            values = (r.bed_name, r.workstation, r.patient_name or r.patient_id, _number(r.spo2),
                      _number(r.pulse_rate), r.alarm if not bed.stale else f"⚠ {bed.problem}",
                      r.device_state if not bed.stale else "no data")
            colour = _STALE if bed.stale else _ALARM_COLOURS.get(r.alarm_priority)
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if colour is not None:
                    item.setBackground(QBrush(colour))
                self.table.setItem(row, column, item)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.watcher.stop()
        super().closeEvent(event)


def _number(value: int | None) -> str:
    return "---" if value is None else str(value)
