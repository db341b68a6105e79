"""What every device parser produces: one vocabulary for all oximeters and wearables.

Parsers (``hms_desktop.devices.protocols``) turn bytes into ``Reading`` objects; the live
monitor, the alarm engine and the wearable record consume them without knowing the device.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class DeviceFlag(StrEnum):
    """Device conditions, mapped from each protocol's own bits (docs/protocols.md)."""

    FINGER_OUT = "finger_out"
    SENSOR_OFF = "sensor_off"
    SEARCHING = "searching"
    LOW_PERFUSION = "low_perfusion"
    ARTIFACT = "artifact"
    LOW_BATTERY = "low_battery"
    DISCONNECTED = "disconnected"  # no bytes from the port (set by the reader, not a parser)


@dataclass(frozen=True, slots=True)
class Reading:
    """One decoded frame. Every value a device marks invalid is ``None``, never 0 or 127.

    ``pleth`` holds the waveform samples carried by this frame, scaled to 0..1 so that views
    and recordings do not depend on each device's native range (0-127, 0-255, 16-bit ...).
    """

    spo2: int | None = None
    pulse_rate: int | None = None
    perfusion_index: float | None = None
    pleth: tuple[float, ...] = ()
    signal_strength: int | None = None  # 0..15 where the device reports it
    beat: bool = False  # heartbeat marker on this frame
    flags: frozenset[DeviceFlag] = field(default_factory=frozenset)
    # Wearable readers (plain-text line protocol, BLE services)
    heart_rate: int | None = None
    steps: int | None = None
    glucose_mmol_l: float | None = None
    temperature_c: float | None = None
    rr_intervals_s: tuple[float, ...] = ()  # beat-to-beat intervals (BLE heart rate), seconds
