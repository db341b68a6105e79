"""The Qt speaker behind ``monitoring.sound.AlarmSound``.

``QtAlarmSound`` plays the generated WAV bursts with QtMultimedia. When the machine has no
audio output it says so (``available`` False); the station turns that into the
"audible alarms unavailable" technical alarm instead of failing silently.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl, Signal

from hms_desktop.domain.alarm_limits import Priority
from hms_desktop.monitoring.tones import generate_wav


class QtAlarmSound(QObject):
    """Plays the three bursts with QSoundEffect from WAVs written once to a temp folder.

    The monitoring core decides on its own thread; ``play`` and ``stop`` may be called from
    any thread and are carried out on the GUI thread (queued), where QSoundEffect lives.
    """

    _sig_play = Signal(object)
    _sig_stop = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sig_play.connect(self._play_now, Qt.ConnectionType.QueuedConnection)
        self._sig_stop.connect(self._stop_now, Qt.ConnectionType.QueuedConnection)
        from PySide6.QtMultimedia import QMediaDevices, QSoundEffect  # heavy: load on use

        self._available = bool(QMediaDevices.audioOutputs())
        self._dir = tempfile.TemporaryDirectory(prefix="hms-tones-")
        self._effects: dict[Priority, QSoundEffect] = {}
        for priority in Priority:
            path = Path(self._dir.name) / f"{priority.value}.wav"
            path.write_bytes(generate_wav(priority))
            effect = QSoundEffect(self)
            effect.setSource(QUrl.fromLocalFile(str(path)))
            self._effects[priority] = effect

    @property
    def available(self) -> bool:
        return self._available

    def play(self, priority: Priority) -> None:
        self._sig_play.emit(priority)

    def stop(self) -> None:
        self._sig_stop.emit()

    def _play_now(self, priority: Priority) -> None:
        if self._available:
            self._stop_now()
            self._effects[priority].play()

    def _stop_now(self) -> None:
        for effect in self._effects.values():
            effect.stop()
