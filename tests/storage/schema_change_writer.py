"""Child process for the schema-change tests: save one record with one version of the model,
optionally checkpoint, then die by SIGKILL (a crash: no close, no checkpoint at exit).

``python -m tests.storage.schema_change_writer FOLDER LAYOUT NAME [checkpoint]``; it prints the
new record's ID once the save is acknowledged.
"""

from __future__ import annotations

import os
import signal
import sys
from datetime import date
from pathlib import Path

from pydantic import BaseModel

from hms_desktop.storage import Store, TableSpec
from tests.storage.models import THINGS, Thing


class ThingWithPriority(Thing):
    """The model one release later: one more optional column, with a default."""

    priority: int = 0


class ThingWithoutNote(BaseModel):
    """The model with the optional ``note`` column removed."""

    id: str = ""
    name: str
    born: date
    score: int = 0


class ThingWithRemark(BaseModel):
    """The model with ``note`` renamed to ``remark``."""

    id: str = ""
    name: str
    born: date
    score: int = 0
    remark: str | None = None


def _rename_note(row: dict[str, str]) -> dict[str, str]:
    row["remark"] = row.pop("note", "")
    return row


def _drop_unknown(row: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in row.items() if k not in ("colour", "weight", "tags", "note")}


LAYOUTS: dict[str, TableSpec] = {
    "old": THINGS,
    "added": TableSpec(name="things", model=ThingWithPriority, id_prefix="THG"),
    "added-migrated": TableSpec(name="things", model=ThingWithPriority, id_prefix="THG", schema_version=2,
                                migrations={1: lambda row: {**row, "priority": "0"}}),
    "removed": TableSpec(name="things", model=ThingWithoutNote, id_prefix="THG"),
    "removed-migrated": TableSpec(name="things", model=ThingWithoutNote, id_prefix="THG", schema_version=2,
                                  migrations={1: _drop_unknown}),
    "renamed": TableSpec(name="things", model=ThingWithRemark, id_prefix="THG"),
    "renamed-migrated": TableSpec(name="things", model=ThingWithRemark, id_prefix="THG", schema_version=2,
                                  migrations={1: lambda row: _drop_unknown(_rename_note(row))}),
}


def main() -> None:
    folder, layout, name = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    spec = LAYOUTS[layout]
    store = Store(folder)
    table = store.table(spec)
    fields = {"name": name, "born": date(1980, 5, 17), "score": 7}
    fields.update({"note": f"note of {name}"} if "note" in spec.model.model_fields else {})
    fields.update({"priority": 3} if "priority" in spec.model.model_fields else {})
    saved = table.insert(spec.model.model_validate(fields))
    if sys.argv[4:] == ["checkpoint"]:
        store.checkpoint()
    print(saved.id, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    main()
