"""Per-patient alarm limits and the vocabulary of alarms (kinds, priorities).

Limits are data set by a clinician and kept in the data folder, never constants in code:
peers that hard-code them are asked again and again to change them (docs/clinical.md).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, model_validator

#: SatSeconds thresholds offered to clinicians (0 = off: a plain onset delay is used instead).
SATSECONDS_CHOICES: tuple[int, ...] = (0, 10, 25, 50, 100)
#: Row id of the clinic-wide defaults in the alarm limits table.
DEFAULT_LIMITS_ID = "DEFAULT"


class Priority(StrEnum):
    """Alarm priority after IEC 60601-1-8; ordering is by ``rank``."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return {"low": 1, "medium": 2, "high": 3}[self.value]

    @property
    def prefix(self) -> str:
        """Text prefix used on screens and in the alarm list (``***`` high ... ``*`` low)."""
        return "*" * self.rank


class AlarmKind(StrEnum):
    """Everything that can alarm. Physiological kinds are suppressed by sensor technical kinds."""

    SPO2_LOW = "spo2_low"
    SPO2_HIGH = "spo2_high"
    PR_LOW = "pr_low"
    PR_HIGH = "pr_high"
    FINGER_OUT = "finger_out"
    SENSOR_OFF = "sensor_off"
    NO_DATA = "no_data"
    DEVICE_UNPLUGGED = "device_unplugged"
    NO_VALID_READING = "no_valid_reading"
    AUDIO_UNAVAILABLE = "audio_unavailable"
    RECORDING_FAILED = "recording_failed"
    DEVICE_FAULT = "device_fault"

    @property
    def physiological(self) -> bool:
        return self in PHYSIOLOGICAL

    @property
    def label(self) -> str:
        return LABELS[self]


PHYSIOLOGICAL = frozenset({AlarmKind.SPO2_LOW, AlarmKind.SPO2_HIGH, AlarmKind.PR_LOW, AlarmKind.PR_HIGH})
#: Technical conditions that make SpO2/PR meaningless: an active physiological alarm hands
#: over to them (same priority, no gap) and valid data beyond the limit takes it back at once.
SENSOR_TECHNICAL = frozenset({AlarmKind.FINGER_OUT, AlarmKind.SENSOR_OFF, AlarmKind.NO_DATA,
                              AlarmKind.DEVICE_UNPLUGGED, AlarmKind.NO_VALID_READING})
#: A part of the system that failed (sound, recording, the device's data path). They never
#: touch the physiological alarms; each names what failed in its detail text.
FAULTS = frozenset({AlarmKind.AUDIO_UNAVAILABLE, AlarmKind.RECORDING_FAILED, AlarmKind.DEVICE_FAULT})
LABELS: dict[AlarmKind, str] = {
    AlarmKind.SPO2_LOW: "SpO2 low",
    AlarmKind.SPO2_HIGH: "SpO2 high",
    AlarmKind.PR_LOW: "Pulse rate low",
    AlarmKind.PR_HIGH: "Pulse rate high",
    AlarmKind.FINGER_OUT: "Finger out",
    AlarmKind.SENSOR_OFF: "Sensor off",
    AlarmKind.NO_DATA: "No data from device",
    AlarmKind.DEVICE_UNPLUGGED: "Device unplugged",
    AlarmKind.NO_VALID_READING: "No valid SpO2 / pulse",
    AlarmKind.AUDIO_UNAVAILABLE: "Audible alarms unavailable",
    AlarmKind.RECORDING_FAILED: "Recording failed",
    AlarmKind.DEVICE_FAULT: "Device data failed",
}


class AlarmLimits(BaseModel):
    """One patient's limits (or the clinic defaults when ``id == "DEFAULT"``).

    ``id`` is the patient id: a patient has at most one current set; history is kept by the
    storage engine, so every change a clinician makes stays auditable.
    """

    id: str = DEFAULT_LIMITS_ID
    spo2_low: int = Field(90, ge=50, le=99, description="SpO2 low limit, %")
    pr_low: int = Field(50, ge=20, le=200, description="pulse rate low limit, /min")
    pr_high: int = Field(120, ge=40, le=300, description="pulse rate high limit, /min")
    spo2_high: int | None = Field(None, ge=80, le=100,
                                  description="SpO2 high limit, % (patients on oxygen; empty = off)")
    # Critical limits: beyond them an acknowledged alarm sounds again, and an alarm of lower
    # priority rises to high. Empty = off.
    spo2_critical: int | None = Field(85, ge=40, le=98, description="SpO2 critical limit, %")
    pr_critical_low: int | None = Field(40, ge=15, le=199, description="pulse critical low limit, /min")
    pr_critical_high: int | None = Field(150, ge=41, le=350, description="pulse critical high limit, /min")
    spo2_priority: Priority = Priority.HIGH
    spo2_high_priority: Priority = Priority.MEDIUM
    pr_priority: Priority = Priority.MEDIUM
    spo2_delay_s: float = Field(10.0, ge=0, le=60, description="onset delay when SatSeconds is off")
    pr_delay_s: float = Field(10.0, ge=0, le=60)
    satseconds: int = Field(25, description="SatSeconds threshold: 0 (off), 10, 25, 50 or 100")
    spo2_hysteresis: int = Field(2, ge=0, le=10, description="points above the limit needed to clear")
    pr_hysteresis: int = Field(5, ge=0, le=30)
    clear_after_s: float = Field(5.0, ge=0, le=60, description="seconds back in range before clearing")
    technical_delay_s: float = Field(10.0, ge=0, le=30, description="onset delay of sensor alarms")
    latching: bool = False
    escalate_after_s: float = Field(120.0, ge=0, le=3600,
                                    description="unacknowledged medium -> high after this (0 = never)")
    note: str = ""

    @model_validator(mode="before")
    @classmethod
    def _default_critical_beyond_limits(cls, data: Any) -> Any:
        """A critical limit left at its default is dropped (off) when it would not lie beyond
        the alarm limit (a patient whose low limit is 85 %); one set explicitly is checked."""
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for field, limit, beyond in (("spo2_critical", "spo2_low", _below), ("pr_critical_low", "pr_low", _below),
                                     ("pr_critical_high", "pr_high", _above)):
            if field in out or limit not in out:
                continue
            default = cls.model_fields[field].default
            try:
                if not beyond(default, int(out[limit])):
                    out[field] = None
            except (TypeError, ValueError):
                pass  # the limit itself is invalid: its own validation says so
        return out

    @model_validator(mode="after")
    def _check(self) -> AlarmLimits:
        if self.satseconds not in SATSECONDS_CHOICES:
            raise ValueError(f"satseconds must be one of {SATSECONDS_CHOICES}, got {self.satseconds}")
        if self.pr_low >= self.pr_high:
            raise ValueError(f"pr_low ({self.pr_low}) must be below pr_high ({self.pr_high})")
        if self.spo2_high is not None and self.spo2_high <= self.spo2_low:
            raise ValueError(f"spo2_high ({self.spo2_high}) must be above spo2_low ({self.spo2_low})")
        if self.spo2_critical is not None and self.spo2_critical >= self.spo2_low:
            raise ValueError(f"spo2_critical ({self.spo2_critical}) must be below spo2_low ({self.spo2_low})")
        if self.pr_critical_low is not None and self.pr_critical_low >= self.pr_low:
            raise ValueError(f"pr_critical_low ({self.pr_critical_low}) must be below pr_low ({self.pr_low})")
        if self.pr_critical_high is not None and self.pr_critical_high <= self.pr_high:
            raise ValueError(f"pr_critical_high ({self.pr_critical_high}) must be above pr_high ({self.pr_high})")
        return self


def _below(critical: int, limit: int) -> bool:
    return critical < limit


def _above(critical: int, limit: int) -> bool:
    return critical > limit
