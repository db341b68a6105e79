"""The remote beds' alarms at the nurse station, with Acknowledge (services/remote_alarms.py).

One wrapped row per alarm, most urgent first: "*** Pulse rate high (peak 150) — Bed 1 on
ward-pc", the patient, since when and who acknowledged it. Acknowledge selected (Alt+C, or
Enter on a row; nothing selected: the most urgent unacknowledged) asks the bedside through
the server; the row says "acknowledge sent" until the bedside's answer, and the message line
says what happened. Audio pause (Alt+P) is the station's own, covering the alarms sounding now. A bedside that cannot be reached is said, and the alarm stays
unacknowledged. The station's own "no data from <workstation>" alarm is acknowledged here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QLabel, QTableWidgetItem, QVBoxLayout, QWidget

from hms_desktop.services.remote_alarms import RemoteAcknowledger, RemoteAlarm, answer_text
from hms_desktop.storage.postgres.alarm_requests import AckAnswer, RequestStatus
from hms_desktop.ui.monitor.alarm_list import alarm_table, wrapping
from hms_desktop.ui.monitor.patient_names import HIDDEN_PATIENT
from hms_desktop.ui.monitor.widgets import button, named, row

ALARM_COLOURS = {"high": QColor("#ffcdd2"), "medium": QColor("#fff3c4"), "low": QColor("#e3f2fd")}
#: Who acknowledges: the signed-in user's name (raises PermissionError without the permission).
Acknowledger = Callable[[], str]
#: Writes one line to the station's access log: (what happened, patient id, detail).
Audit = Callable[[str, str, str], None]


def _clock(epoch: float | None) -> str:
    return "" if epoch is None else datetime.fromtimestamp(epoch, UTC).astimezone().strftime("%H:%M:%S")


def remote_alarm_text(alarm: RemoteAlarm, *, waiting: bool, patients_hidden: bool) -> str:
    a, bed = alarm.alarm, alarm.bed.row
    head = a.text + ("" if a.peak is None else f" (peak {a.peak:.0f})") + f" — {alarm.where}"
    patient = "" if not bed.patient_id else HIDDEN_PATIENT if patients_hidden else \
        f"{bed.patient_name or bed.patient_id} · {bed.patient_id}"
    if a.acknowledged:
        state = f"acknowledged by {a.acknowledged_by or 'unknown'} at {_clock(a.acknowledged_at)}"
    elif waiting:
        state = f"acknowledge sent, waiting for {bed.workstation}"
    else:
        state = "not acknowledged"
    if alarm.bed.stale and not alarm.at_station:
        state += f" (last known: no data from {bed.workstation})"
    return "\n".join(line for line in (head, patient, f"since {_clock(a.started_at)} — {state}") if line)


class RemoteAlarmPanel(QWidget):
    sig_answered = Signal(object, object, str)
    """(RemoteAlarm, AckAnswer, who) from the acknowledger's thread, queued to the GUI thread."""

    def __init__(self, requests: RemoteAcknowledger | None, *, acknowledge_here: Callable[[RemoteAlarm, str], bool],
                 acknowledger: Acknowledger | None = None, audit: Audit | None = None,
                 pause_audio: Callable[[], str] | None = None, on_changed: Callable[[], None] = lambda: None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "remote alarms panel")
        self.requests = requests
        self.acknowledge_here = acknowledge_here
        self.acknowledger = acknowledger
        self.audit = audit
        self.on_changed = on_changed
        self.patients_hidden = False
        self.table = wrapping(alarm_table("remote alarms", ("Alarms of remote beds (most urgent first)",)))
        self.ack = button("acknowledge selected remote alarm", "A&cknowledge selected", self.acknowledge_selected)
        self.pause_audio = pause_audio
        self.pause = button("pause alarm audio at this station", "Audio &pause", self.pause_alarm_audio)
        self.pause.setVisible(pause_audio is not None)  # a window without a speaker sounds nothing
        self.message = named(QLabel(""), "remote alarm message")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(row(self.ack, self.pause, self.message))
        self.alarms: list[RemoteAlarm] = []
        self.waiting: set[str] = set()  # keys of alarms whose acknowledge is on its way
        self.table.itemActivated.connect(lambda _item: self.acknowledge_selected())
        self.sig_answered.connect(self._answered)

    def show_alarms(self, alarms: list[RemoteAlarm]) -> None:
        selected = self._selected()
        self.alarms = alarms
        self.table.setRowCount(len(alarms))
        for r, alarm in enumerate(alarms):
            text = remote_alarm_text(alarm, waiting=alarm.key in self.waiting, patients_hidden=self.patients_hidden)
            item = QTableWidgetItem(text)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, text.replace("\n", ". "))
            colour = ALARM_COLOURS.get(alarm.alarm.priority)
            if colour is not None:
                item.setBackground(QBrush(colour))
            if not alarm.alarm.acknowledged:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.table.setItem(r, 0, item)
        keys = [a.key for a in alarms]
        if selected is not None and selected.key in keys:
            self.table.selectRow(keys.index(selected.key))
        self.ack.setEnabled(any(not a.alarm.acknowledged for a in alarms))

    def _selected(self) -> RemoteAlarm | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.alarms):
            return None
        return self.alarms[rows[0].row()]

    def acknowledge_selected(self) -> None:
        alarm = self._selected() or next((a for a in self.alarms if not a.alarm.acknowledged), None)
        if alarm is None:
            return
        try:
            if self.acknowledger is None:
                raise PermissionError("acknowledging a remote bed's alarm needs a signed-in user")
            who = self.acknowledger()
        except PermissionError as exc:
            self.message.setText(str(exc))
            return
        if alarm.at_station:
            done = self.acknowledge_here(alarm, who)
            answer = AckAnswer(RequestStatus.APPLIED if done else RequestStatus.REFUSED,
                               "" if done else "that alarm has ended or changed since; look again")
            self._answered(alarm, answer, who)
            return
        if self.requests is None or alarm.key in self.waiting:
            return
        self.waiting.add(alarm.key)
        self.message.setText(f"{alarm.where}: asking {alarm.bed.row.workstation} to acknowledge "
                             f"{alarm.alarm.text.strip()}…")
        self.show_alarms(self.alarms)
        self.requests.submit(alarm, who, lambda a, answer: self.sig_answered.emit(a, answer, who))

    def pause_alarm_audio(self) -> None:
        """The station's audio pause, from this window (it covers remote and local alarms)."""
        if self.pause_audio is None:
            return
        try:
            self.message.setText(self.pause_audio())
        except PermissionError as exc:
            self.message.setText(str(exc))

    def _answered(self, alarm: RemoteAlarm, answer: AckAnswer, who: str) -> None:
        self.waiting.discard(alarm.key)
        text = answer_text(alarm, answer, who)
        if alarm.at_station and answer.status is RequestStatus.APPLIED:
            text = f"{alarm.where}: {alarm.alarm.text.strip()} — acknowledged here by {who}"
        self.message.setText(text)
        if self.audit is not None:
            self.audit("acknowledged a remote bed's alarm" if answer.status is RequestStatus.APPLIED
                       else "remote alarm acknowledge not applied", alarm.bed.row.patient_id, text)
        self.show_alarms(self.alarms)
        self.on_changed()

    def stop(self) -> None:
        if self.requests is not None:
            self.requests.stop()
