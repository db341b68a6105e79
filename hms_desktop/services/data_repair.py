"""Repair, as the app and ``python -m hms_desktop repair`` run it: over every known table.

See ``hms_desktop/storage/repair.py`` (and docs/storage.md) for what Repair does and keeps.
"""

from __future__ import annotations

from hms_desktop.storage import Store
from hms_desktop.storage.registry import all_tables
from hms_desktop.storage.repair import RepairResult, plan, repair


def repair_plan(store: Store, *, discard_unloadable: bool = False) -> list[str]:
    """What Repair would settle in this open folder (loads every table first)."""
    return plan(store, all_tables(), discard_unloadable=discard_unloadable)


def repair_folder(store: Store, *, by: str, discard_unloadable: bool = False) -> RepairResult:
    """Settle every finding; the folder is writable afterwards. Runs on the writer thread."""
    return repair(store, all_tables(), by=by, discard_unloadable=discard_unloadable)


__all__ = ["RepairResult", "repair_folder", "repair_plan"]
