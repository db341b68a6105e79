"""A table at schema version 2 with a migration from 1, for the upgrade tests
(registered via HMS_EXTRA_STORAGE_MODULES)."""

from __future__ import annotations

from pydantic import BaseModel

from hms_desktop.storage import TableSpec


class Visit(BaseModel):
    id: str = ""
    reason: str
    room: str = ""  # new in version 2


def _add_room(row: dict[str, str]) -> dict[str, str]:
    return {**row, "room": "unknown"}


UPGRADE_VISITS = TableSpec(name="upgrade_visits", model=Visit, id_prefix="UPV", schema_version=2,
                           migrations={1: _add_room})
