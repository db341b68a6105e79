"""Knowing that a data folder holds demo data, and removing it safely.

First start fills an empty folder with invented patients. The only notice used to be a
status-bar message gone after 10 s, so demo records could be mistaken for real ones. Now the
generator leaves ``DEMO-DATA.json`` (each table's row count when it finished): while that file
is there the window shows a banner, and File ▸ Remove demo data moves every file of the folder
aside (nothing is deleted) — refused if any table has grown since, because then something real
may have been added. ``DEMO-REMOVED.json`` then stops the demo from being generated again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hms_desktop.storage.csvfile import replace_file
from hms_desktop.storage.registry import all_tables

MARKER = "DEMO-DATA.json"
REMOVED = "DEMO-REMOVED.json"
#: Tables the program writes by itself as it is used (which patients were opened recently):
#: growth there is not "something real added".
WORKSTATION_TABLES = frozenset({"recent_patients"})


def write_marker(data_dir: Path, counts: Mapping[str, int]) -> None:
    body = {"generated_at": datetime.now(UTC).isoformat(), "table_rows": dict(counts),
            "note": "This folder holds invented demo patients. File > Remove demo data removes them."}
    # Like every file of the folder: owner-only (check warns otherwise), whole or not at all.
    replace_file(data_dir / MARKER, json.dumps(body, indent=2).encode("utf-8"))


def holds_demo(data_dir: Path) -> bool:
    return (Path(data_dir) / MARKER).exists()


def demo_was_removed(data_dir: Path) -> bool:
    """True once demo data was removed from this folder: never generate it again here."""
    return (Path(data_dir) / REMOVED).exists()


def real_additions(data_dir: Path, counts_now: Mapping[str, int]) -> list[str]:
    """Why removing the demo data would lose something: each table with more rows than the
    generator left ("patients: 503 rows, the demo had 500"). Empty: safe to remove."""
    try:
        recorded = json.loads((Path(data_dir) / MARKER).read_text(encoding="utf-8"))["table_rows"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [f"{MARKER} cannot be read ({exc}): cannot tell demo rows from real ones"]
    return [f"{table}: {rows:,} rows, the demo data had {int(recorded.get(table, 0)):,}"
            for table, rows in sorted(counts_now.items())
            if table not in WORKSTATION_TABLES and rows > int(recorded.get(table, 0))]


def remove_demo_data(data_dir: Path, *, now: datetime | None = None) -> Path:
    """Move every file of the (closed) folder into a sibling folder and return it. Nothing is
    deleted: a person who changes their mind moves the files back."""
    data_dir = Path(data_dir)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    aside = data_dir.with_name(f"{data_dir.name}-demo-removed-{stamp}")
    aside.mkdir()
    for entry in sorted(data_dir.iterdir()):
        if entry.name not in ("settings.json", ".lock"):  # the clinic's own settings stay
            os.replace(entry, aside / entry.name)
    replace_file(data_dir / REMOVED,
                 json.dumps({"removed_at": stamp, "moved_to": str(aside)}, indent=2).encode("utf-8"))
    return aside


def demo_additions(store: Any, data_dir: Path) -> list[str]:
    """``real_additions`` for an open store (run on the writer: it counts every table)."""
    return real_additions(data_dir, {spec.name: len(store.table(spec)) for spec in all_tables()})
