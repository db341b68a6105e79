"""Small models the storage tests store (the engine is generic over pydantic models)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from hms_desktop.storage import TableSpec


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


class Thing(BaseModel):
    id: str = ""
    name: str = Field(min_length=1)
    born: date
    colour: Colour = Colour.RED
    score: int = 0
    weight: float | None = None
    tags: list[str] = []
    note: str | None = None


class Sample(BaseModel):
    at: datetime
    bed: str
    spo2: int | None = None
    comment: str = ""


THINGS = TableSpec(name="things", model=Thing, id_prefix="THG", schema_version=1)
