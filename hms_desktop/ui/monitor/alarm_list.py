"""The station's alarm list: live alarms with acknowledge, and the history with saved pleth.

Live rows come from the controller (every bed's engine); history rows come from the alarm
day files through the service (read on demand, a day at a time).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLayout,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.domain.alarm_limits import AlarmKind
from hms_desktop.domain.alarms import Alarm
from hms_desktop.services.monitoring import AlarmRecord
from hms_desktop.ui.monitor.controller import STATION, StationController
from hms_desktop.ui.monitor.patient_names import HIDDEN_PATIENT, shown_patient
from hms_desktop.ui.monitor.widgets import button, named, row

#: One wrapped cell per alarm: the list sits beside the bed grid (~300 px at 1400 px wide)
#: and six columns there needed horizontal scrolling; every word must be readable as is.
LIVE_COLUMNS = ("Live alarms (most urgent first)",)
HISTORY_COLUMNS = ("Alarms of the last 24 hours (newest first)",)
_PRIORITY_MARK = {"high": "***", "medium": "**", "low": "*"}


def alarm_table(name: str, columns: tuple[str, ...]) -> QTableWidget:
    table = named(QTableWidget(0, len(columns)), name)
    table.setHorizontalHeaderLabels(list(columns))
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _clock(t: float | datetime | None) -> str:
    if t is None:
        return ""
    at = t if isinstance(t, datetime) else datetime.fromtimestamp(t, UTC)
    return at.astimezone().strftime("%H:%M:%S")


def live_alarm_text(alarm: Alarm, bed_name: str, patient_text: str) -> str:
    """What a nurse reads for one live alarm, most important first:
    "*** SpO2 low (peak 84) — Bed 1", the patient, then since when and who acknowledged it."""
    head = alarm.text + ("" if alarm.peak is None else f" (peak {alarm.peak:.0f})") + f" — {bed_name}"
    if alarm.acknowledged:
        state = f"acknowledged by {alarm.acknowledged_by or 'unknown'} at {_clock(alarm.acknowledged_at)}"
    else:
        state = "not acknowledged"
    if alarm.latched:
        state = "condition over, latched until acknowledged; " + state
    lines = [head, patient_text] if patient_text else [head]
    lines.append(f"since {_clock(alarm.started_at)} — {state}")
    return "\n".join(lines)


def wrapping(table: QTableWidget) -> QTableWidget:
    """One stretching column whose cells wrap: never a horizontal scroll bar."""
    table.setWordWrap(True)
    table.setTextElideMode(Qt.TextElideMode.ElideNone)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return table


def _page(table: QTableWidget, buttons: QLayout) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.addWidget(table)
    layout.addLayout(buttons)
    return page


class AlarmListView(QWidget):
    sig_snapshot_requested = Signal(object)
    """Show the saved pleth of this AlarmRecord."""

    def __init__(self, controller: StationController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.patients_hidden = False  # the main window is locked: no patient name or ID
        named(self, "alarm list")
        self.controller = controller
        self.live = wrapping(alarm_table("live alarms", LIVE_COLUMNS))
        self.history = wrapping(alarm_table("alarm history", HISTORY_COLUMNS))
        self.ack = button("acknowledge selected alarm", "A&cknowledge selected", self.acknowledge_selected)
        self.ack_all = button("acknowledge all alarms", "Acknowledge &all", self.acknowledge_all)
        self.refresh_history_button = button("refresh alarm history", "&Refresh history", self.refresh_history)
        self.show_pleth = button("show alarm pleth", "Sh&ow pleth", self._show_pleth)
        self.tabs = named(QTabWidget(), "alarm list tabs")
        self.tabs.addTab(_page(self.live, row(self.ack, self.ack_all)), "&Live alarms")
        self.tabs.addTab(_page(self.history, row(self.refresh_history_button, self.show_pleth)),
                         "Histor&y (24 h)")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self._live_keys: list[tuple[str, AlarmKind]] = []
        self._records: list[AlarmRecord] = []
        self.history.itemActivated.connect(lambda _item: self._show_pleth())
        controller.sig_alarms_changed.connect(self.refresh_live)
        self.refresh_live()

    def refresh_live(self) -> None:
        alarms = self.controller.alarms()
        selected = self._selected_key()
        self.live.setRowCount(len(alarms))
        self._live_keys = []
        for r_i, (bed_id, alarm) in enumerate(alarms):
            mon = self.controller.monitors.get(bed_id)
            bed_name = mon.bed.name if mon else ("Station" if bed_id == STATION else bed_id)
            patient = shown_patient(mon, hidden=self.patients_hidden) if mon and mon.patient_id else ""
            text = live_alarm_text(alarm, bed_name, patient)
            item = QTableWidgetItem(text)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, text.replace("\n", ". "))
            if not alarm.acknowledged:  # what still needs someone stands out
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.live.setItem(r_i, 0, item)
            self._live_keys.append((bed_id, AlarmKind(alarm.kind)))
        if selected in self._live_keys:
            self.live.selectRow(self._live_keys.index(selected))
        self.ack_all.setEnabled(any(not a.acknowledged for _, a in alarms))

    def _selected_key(self) -> tuple[str, AlarmKind] | None:
        rows = self.live.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._live_keys):
            return None
        return self._live_keys[rows[0].row()]

    def acknowledge_selected(self) -> None:
        key = self._selected_key()
        if key is None and self._live_keys:
            key = self._live_keys[0]  # nothing selected: the most urgent one
        if key is not None:
            self.controller.acknowledge(*key)

    def acknowledge_all(self) -> None:
        for bed_id, kind in list(self._live_keys):
            self.controller.acknowledge(bed_id, kind)

    def refresh_history(self) -> None:
        """Read the last 24 h of alarms on the writer thread, fill the table when done."""
        end = datetime.now(UTC) + timedelta(minutes=1)
        self.controller.run(self.controller.service.alarm_history, end - timedelta(hours=24), end,
                            on_done=self._fill_history, what="reading the alarm history")

    def refill_history(self) -> None:
        """The history as last read, written again (names hidden or shown)."""
        self._fill_history(self._records)

    def _fill_history(self, records: list[AlarmRecord]) -> None:
        self._records = records
        self.history.setRowCount(len(records))
        for r_i, r in enumerate(records):
            text = self._history_text(r)
            item = QTableWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, r.alarm_id)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, text.replace("\n", ". "))
            self.history.setItem(r_i, 0, item)

    def _history_text(self, r: AlarmRecord) -> str:
        """The same reading order as the live list: what and where, who, when and who answered."""
        label = AlarmKind(r.kind).label if r.kind in AlarmKind.__members__.values() else r.kind
        mon = self.controller.monitors.get(r.bed_id)
        bed = mon.bed.name if mon else ("Station" if r.bed_id == STATION else r.bed_id)
        peak = "" if r.peak is None else f" (peak {r.peak:.0f})"
        head = f"{_PRIORITY_MARK.get(r.priority, '')} {label}{peak} — {bed}".strip()
        patient = "" if not r.patient_id else HIDDEN_PATIENT if self.patients_hidden \
            else f"{self.controller.patient_name(r.patient_id)} · {r.patient_id}"
        ended = f"–{_clock(r.ended_at)}" if r.ended_at else " (still active)"
        answered = (f"acknowledged by {r.acknowledged_by} at {_clock(r.acknowledged_at)}" if r.acknowledged_by
                    else "not acknowledged")
        return "\n".join(line for line in (head, patient, f"{_clock(r.started_at)}{ended} — {answered}") if line)

    def _show_pleth(self) -> None:
        rows = self.history.selectionModel().selectedRows()
        if rows and rows[0].row() < len(self._records):
            self.sig_snapshot_requested.emit(self._records[rows[0].row()])
