"""Clinic-wide settings: the few values a clinic changes once and every feature reads.

They live in ``<data folder>/settings.json`` (see ``services/settings_file.py``) so they
travel with the data when the folder is copied to another workstation.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

_REGION = re.compile(r"^[A-Z]{2}$")


class ClinicSettings(BaseModel):
    """Validated, immutable settings; a change makes a new object (``model_copy``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    clinic_name: str = Field(default="HMS Clinic", min_length=1, max_length=120)
    # Appointments and day files are shown in the clinic's local time, stored in UTC.
    time_zone: str = "Europe/London"
    # Region used to read phone numbers written without +country code.
    phone_region: str = "GB"
    # Observations older than this no longer count towards a patient's current NEWS2 score.
    news2_stale_minutes: int = Field(default=60, ge=5, le=24 * 60)
    # Alarm audio pause: 2 minutes by default, 1-3 minutes allowed (clinical reference).
    audio_pause_seconds: int = Field(default=120, ge=60, le=180)
    # Idle lock: the window locks after this many minutes without input (a station never does).
    idle_lock_minutes: int = Field(default=5, ge=1, le=60)
    # Printed on letters and summaries; lines separated by newlines.
    clinic_address: str = Field(default="", max_length=500)
    # Who signs referral letters until user accounts exist (then the signed-in author does).
    letter_signatory: str = Field(default="", max_length=120)
    letter_signatory_role: str = Field(default="", max_length=80)

    @field_validator("clinic_name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("clinic name must not be blank")
        return value

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/London)") from exc
        return value

    @field_validator("phone_region")
    @classmethod
    def _region_code(cls, value: str) -> str:
        value = value.strip().upper()
        if not _REGION.match(value):
            raise ValueError(f"phone region {value!r} must be a two-letter country code such as GB")
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The clinic's time zone object, for converting stored UTC times for display."""
        return ZoneInfo(self.time_zone)
