"""The station watchdog's decisions (no Qt): is the nurse station's display alive?

A central station with frozen numbers looks exactly like a quiet ward. So while beds are
monitored, the app's GUI thread sends a heartbeat once a second down a pipe to a separate
process (``python -m hms_desktop.ui.shell.watchdog_process``, the Qt part). That process raises an
audible and visible alarm when

- no heartbeat came for ``timeout_s`` (5 s) while beds are monitored: "display frozen";
- the pipe closed without a goodbye while beds were monitored (the app died): "stopped".

The pipe speaks one word a line: ``beds N`` (monitored beds), ``beat``, ``bye`` (a clean
quit, or no more monitored beds: the watchdog exits). ``WatchdogState`` is fed lines and a
monotonic clock, so every rule is tested with fake time.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

TIMEOUT_S = 5.0
BEAT_INTERVAL_S = 1.0


class Condition(StrEnum):
    FROZEN = "frozen"
    STOPPED = "stopped"


MESSAGES = {
    Condition.FROZEN: "Monitoring display frozen",
    Condition.STOPPED: "Monitoring stopped",
}
ADVICE = {
    Condition.FROZEN: ("The nurse station has not updated for {seconds:.0f} s while {beds} bed(s) "
                       "are monitored: its numbers and alarms cannot be trusted. Check the "
                       "patients and the bedside oximeters directly."),
    Condition.STOPPED: ("HMS Desktop closed unexpectedly while {beds} bed(s) were monitored: "
                        "no alarms are shown or sounded by the station. Check the patients and "
                        "the bedside oximeters directly, then restart HMS Desktop."),
}


@dataclass
class WatchdogState:
    """What the watchdog knows: monitored beds, the last heartbeat, the alarm on screen."""

    started_at: float
    timeout_s: float = TIMEOUT_S
    beds: int = 0
    last_beat: float = 0.0
    condition: Condition | None = None
    said_goodbye: bool = False
    closed: bool = False

    def __post_init__(self) -> None:
        self.last_beat = self.started_at

    def on_line(self, line: str, now: float) -> None:
        word, _, arg = line.strip().partition(" ")
        if word == "beat":
            self.last_beat = now
            if self.condition is Condition.FROZEN:  # the display came back
                self.condition = None
        elif word == "beds":
            try:
                self.beds = max(0, int(arg))
            except ValueError:
                return
            self.last_beat = now
        elif word == "bye":
            self.said_goodbye = True
            if self.condition is Condition.FROZEN:
                self.condition = None

    def on_closed(self) -> None:
        """The app's end of the pipe closed (it exited, or was killed)."""
        self.closed = True
        if not self.said_goodbye and self.beds > 0:
            self.condition = Condition.STOPPED

    def check(self, now: float) -> Condition | None:
        if self.condition is None and self.beds > 0 and not self.said_goodbye \
                and now - self.last_beat > self.timeout_s:
            self.condition = Condition.FROZEN
        return self.condition

    @property
    def finished(self) -> bool:
        """Nothing left to watch: the app said goodbye or went away, and no alarm is on screen
        (an app that dies with beds monitored leaves "stopped" on screen until acknowledged)."""
        return (self.said_goodbye or self.closed) and self.condition is None

    def message(self, now: float) -> tuple[str, str]:
        assert self.condition is not None
        advice = ADVICE[self.condition].format(seconds=now - self.last_beat, beds=self.beds)
        return MESSAGES[self.condition], advice
