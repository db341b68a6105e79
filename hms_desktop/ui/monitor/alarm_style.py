"""How an alarm looks: colour and flash rate by priority (IEC 60601-1-8, docs/clinical.md).

High: red, 2 Hz at 50 % duty (allowed 1.4-2.8 Hz, 20-60 %); medium: yellow, 0.5 Hz
(0.4-0.8 Hz); low: cyan, steady. Flashing is a pure function of time, so every tile of a
priority blinks in phase and tests can ask "on or off at t".
"""

from __future__ import annotations

from hms_desktop.domain.alarm_limits import Priority

COLOURS = {Priority.HIGH: "#d32f2f", Priority.MEDIUM: "#f9a825", Priority.LOW: "#00acc1"}
TEXT_COLOURS = {Priority.HIGH: "#ffffff", Priority.MEDIUM: "#000000", Priority.LOW: "#000000"}
FLASH_HZ = {Priority.HIGH: 2.0, Priority.MEDIUM: 0.5}
DUTY = 0.5


def flash_on(priority: Priority | None, t: float) -> bool:
    """Whether the alarm colour is shown at time ``t`` (seconds)."""
    if priority is None:
        return False
    hz = FLASH_HZ.get(priority)
    if hz is None:
        return True  # low priority: steady
    return (t * hz) % 1.0 < DUTY


def tile_style(priority: Priority | None, t: float) -> str:
    """Style sheet of a tile/banner for the current flash phase."""
    if priority is None or not flash_on(priority, t):
        return ""
    return f"background-color: {COLOURS[priority]}; color: {TEXT_COLOURS[priority]};"

#: A bed monitored although its session could not be saved (read-only folder, full disk): it
#: alarms as usual, but nothing of it is recorded. Dark grey, never an alarm colour.
NOT_SAVED_NOTICE = "NOT SAVED — monitoring only"
NOT_SAVED_STYLE = "background-color: #37474f; color: white; font-weight: bold; padding: 2px 6px;"
