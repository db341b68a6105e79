"""A small table and day log for the shell's tests (registered via HMS_EXTRA_STORAGE_MODULES).

The shell must work before any feature table exists, and its tests must not depend on
another feature's model, so they declare their own.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, field_validator

from hms_desktop.storage import TableSpec


class ShellNote(BaseModel):
    id: str = ""
    patient_id: str
    written_on: date
    text: str = ""

    @field_validator("patient_id")
    @classmethod
    def _patient_ref(cls, value: str) -> str:
        if not value.startswith("PAT"):
            raise ValueError("must be a patient id such as PAT000001")
        return value


class ShellTick(BaseModel):
    at: datetime
    value: int


SHELL_NOTES = TableSpec(name="shell_notes", model=ShellNote, id_prefix="SNT", schema_version=1)
DAY_LOGS = {"shell_ticks": ShellTick}
MODULE = __name__
