"""Records of live monitoring: beds, sessions, numerics once a second, alarm events, pleth snapshots.

Plain pydantic models (the storage engine derives the CSV columns from them). A session
ties a device on a bed to one patient, so every stored reading is attributed to that patient.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field, field_validator


class SessionStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


class Bed(BaseModel):
    """A monitored place (id chosen by the ward, e.g. ``BED01``)."""

    id: str
    name: str = Field(min_length=1, max_length=40)
    ward: str = ""
    position: int = Field(0, ge=0, le=99, description="order on the nurse station")

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not value or not value.replace("-", "").replace("_", "").isalnum() or len(value) > 16:
            raise ValueError(f"bed id must be 1-16 letters/digits, got {value!r}")
        return value.upper()


class MonitoringSession(BaseModel):
    id: str = ""
    bed_id: str
    patient_id: str = Field(min_length=1)
    port: str = ""
    protocol: str = ""
    status: SessionStatus = SessionStatus.ACTIVE
    started_at: datetime
    ended_at: datetime | None = None


class VitalsRow(BaseModel):
    """Numerics of one second for one monitored patient (append-only day file ``vitals``)."""

    at: datetime
    patient_id: str
    bed_id: str
    session_id: str
    spo2: int | None = Field(None, ge=0, le=100)
    pulse_rate: int | None = Field(None, ge=0, le=400)
    perfusion_index: float | None = None
    signal_strength: int | None = None
    flags: list[str] = Field(default_factory=list)


class AlarmEventRow(BaseModel):
    """One alarm transition (day file ``alarms``); the ``ended`` row carries the full story."""

    at: datetime
    alarm_id: str
    event: str  # started, escalated, acknowledged, latched, ended
    kind: str
    priority: str
    patient_id: str = ""
    bed_id: str = ""
    session_id: str = ""
    started_at: datetime
    ended_at: datetime | None = None
    peak: float | None = None
    acknowledged_by: str = ""
    acknowledged_at: datetime | None = None
    end_reason: str = ""


class PlethSnapshot(BaseModel):
    """The pleth waveform around one alarm (30 s before, 30 s after), day file ``pleth``."""

    at: datetime  # first sample
    alarm_id: str
    patient_id: str = ""
    bed_id: str = ""
    rate_hz: float = Field(gt=0)
    samples: list[float]
