"""The lock screen: what the window shows when nobody is signed in or the user locked it.

It shows no patient data — no name, no record, no schedule — only the sign-in form, the
demo accounts of a demo folder, and, on a PC with monitored beds, the beds' alarms by bed
name with Acknowledge and Audio pause: a locked screen never stops a nurse answering an
alarm (issue 14; docs/security.md). Alarms keep sounding whatever this screen shows: the
station controller runs on its own, not in a tab.
"""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtCore import Qt, QTimer, SignalInstance
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.ui.shell.sign_in import SignInForm, Submit, demo_list


class Beds(Protocol):
    """What the lock screen needs of the station controller (``ui/monitor/controller.py``)."""

    sig_alarms_changed: SignalInstance

    def alarms(self) -> list[tuple[str, Any]]: ...
    def acknowledge(self, bed_id: str, kind: Any, *, at_lock_screen: bool = False) -> None: ...
    def pause_audio(self, seconds: float | None = None, *, at_lock_screen: bool = False) -> None: ...

    @property
    def service(self) -> Any: ...

    @property
    def monitors(self) -> dict[str, Any]: ...


class LockedAlarms(QWidget):
    """The beds' numbers and alarms by bed name (never the patient's), with Acknowledge and
    Audio pause. The numbers are re-read once a second (a tile's rate, not the 30 Hz frame)."""

    def __init__(self, beds: Beds, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lock_screen_alarms")
        self.setAccessibleName("monitored beds' alarms")
        self._beds = beds
        self.list = QListWidget()
        self.list.setObjectName("lock_screen_alarm_list")
        self.list.setAccessibleName("alarms")
        self.acknowledge_button = QPushButton("&Acknowledge")
        self.acknowledge_button.setObjectName("lock_screen_acknowledge")
        self.acknowledge_button.setAccessibleName("acknowledge alarm")
        self.acknowledge_button.clicked.connect(self._acknowledge)
        self.pause_button = QPushButton("Au&dio pause")
        self.pause_button.setObjectName("lock_screen_audio_pause")
        self.pause_button.setAccessibleName("audio pause")
        self.pause_button.clicked.connect(lambda: beds.pause_audio(at_lock_screen=True))
        heading = QLabel("<b>Monitored beds</b> — alarms keep sounding while the screen is locked")
        heading.setWordWrap(True)
        self.numbers = QLabel("")
        self.numbers.setObjectName("lock_screen_bed_numbers")
        self.numbers.setAccessibleName("bed numbers")
        self.numbers.setWordWrap(True)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh_numbers)
        self._timer.start(1000)
        buttons = QHBoxLayout()
        buttons.addWidget(self.acknowledge_button)
        buttons.addWidget(self.pause_button)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.numbers)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        beds.sig_alarms_changed.connect(self.refresh)
        self.refresh()
        self.refresh_numbers()

    def refresh_numbers(self) -> None:
        """"Bed 1: SpO2 97 · PR 72" for every bed that is monitoring; never a name or an ID."""
        lines = []
        for mon in list(self._beds.monitors.values()):
            if mon.session is None:
                continue
            numbers = mon.numerics
            demo = " (DEMO)" if mon.simulated else ""
            lines.append(f"{mon.bed.name}{demo}: SpO2 {_number(numbers.spo2)} · PR {_number(numbers.pulse_rate)}"
                         + ("" if mon.monitoring else " · paused"))
        self.numbers.setText("\n".join(lines) or "No bed is monitoring.")

    def refresh(self) -> None:
        names = {bed.id: bed.name for bed in self._beds.service.beds()}
        selected = self.list.currentRow()
        self.list.clear()
        alarms = [(bed_id, alarm) for bed_id, alarm in self._beds.alarms() if alarm.ended_at is None]
        for bed_id, alarm in alarms:
            state = "acknowledged" if alarm.acknowledged else "NOT acknowledged"
            item = QListWidgetItem(f"{names.get(bed_id, bed_id)} — {alarm.text} — {state}")
            item.setData(Qt.ItemDataRole.UserRole, (bed_id, alarm.kind))
            self.list.addItem(item)
        if not alarms:
            self.list.addItem("No alarm on any bed.")
        self.list.setCurrentRow(min(max(selected, 0), self.list.count() - 1))

    def _acknowledge(self) -> None:
        item = self.list.currentItem()
        target = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if target:
            self._beds.acknowledge(*target, at_lock_screen=True)


def _number(value: int | None) -> str:
    return "--" if value is None else str(value)


class LockScreen(QWidget):
    """The page the window shows instead of its tabs while locked or signed out."""

    def __init__(self, authenticate: Any, submit: Submit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lock_screen")
        self.setAccessibleName("lock screen")
        self.heading = QLabel("")
        self.heading.setObjectName("lock_screen_heading")
        self.heading.setAccessibleName("lock screen heading")
        self.heading.setWordWrap(True)
        self.form = SignInForm(authenticate, submit, self)
        self._column = QVBoxLayout()
        self._column.addWidget(self.heading)
        self._column.addWidget(self.form)
        self._column.addStretch(1)
        self._row = QHBoxLayout(self)
        self._row.addStretch(1)
        self._row.addLayout(self._column, 2)
        self._row.addStretch(1)
        self.alarms: LockedAlarms | None = None
        self._demo: QLabel | None = None

    def show_demo_accounts(self, accounts: list[tuple[str, str]]) -> None:
        if self._demo is None and accounts:
            self._demo = demo_list(accounts)
            self._column.insertWidget(2, self._demo)

    def show_beds(self, beds: Beds) -> None:
        if self.alarms is None:
            self.alarms = LockedAlarms(beds, self)
            self._row.addWidget(self.alarms, 3)

    def signed_out(self) -> None:
        self.heading.setText("<h2>Sign in to HMS Desktop</h2>")
        self._reset("")

    def locked(self, display_name: str, username: str) -> None:
        self.heading.setText(f"<h2>Locked</h2><p>{display_name} locked this screen. Type the password "
                             "to unlock, or sign in as another user (their unsaved input is then "
                             "discarded).</p>")
        self._reset(username)

    def _reset(self, username: str) -> None:
        self.form.username.setText(username)
        self.form.password.clear()
        self.form.problem.setText("")
        (self.form.password if username else self.form.username).setFocus()
