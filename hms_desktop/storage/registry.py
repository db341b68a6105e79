"""Every table the application knows, gathered from the feature storage modules.

Features declare their tables as module-level ``TableSpec`` objects in modules under
``hms_desktop.storage`` (e.g. ``storage/patients.py``: ``PATIENTS = TableSpec(...)``).
Discovering them, instead of keeping a hand-written list here, means a feature branch
adds a table without touching a shared file, and ``check`` and start-up never miss one.

Append-only day files (``store.day_log(name, Model)``) are declared the same way with a
module-level ``DAY_LOGS: dict[str, type[BaseModel]]`` so ``check`` can validate them too.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from types import ModuleType

from pydantic import BaseModel

import hms_desktop.storage as storage_pkg
from hms_desktop.storage import TableSpec

# Extra modules to scan, comma-separated: lets tests (and out-of-tree tools) declare tables
# without adding files to the package.
EXTRA_MODULES_ENV = "HMS_EXTRA_STORAGE_MODULES"


def _feature_modules() -> list[ModuleType]:
    names = [
        info.name
        for info in pkgutil.walk_packages(storage_pkg.__path__, prefix="hms_desktop.storage.")
        if info.name != __name__
        # The PostgreSQL backend declares no tables and needs an optional extra (psycopg).
        and not info.name.startswith("hms_desktop.storage.postgres")
    ]
    names += [n.strip() for n in os.environ.get(EXTRA_MODULES_ENV, "").split(",") if n.strip()]
    return [importlib.import_module(name) for name in names]


def all_tables() -> list[TableSpec]:
    """Every TableSpec declared in a storage module, once each, in a stable (name) order."""
    found: dict[str, TableSpec] = {}
    for module in _feature_modules():
        for value in vars(module).values():
            if isinstance(value, TableSpec):
                previous = found.setdefault(value.name, value)
                if previous is not value and previous != value:
                    raise RuntimeError(
                        f"two different TableSpecs named {value.name!r} (one in {module.__name__})"
                    )
    return [found[name] for name in sorted(found)]


def all_day_logs() -> dict[str, type[BaseModel]]:
    """Every declared day-file series: name -> row model (``DAY_LOGS`` in storage modules)."""
    found: dict[str, type[BaseModel]] = {}
    for module in _feature_modules():
        declared = getattr(module, "DAY_LOGS", None)
        if isinstance(declared, dict):
            for name, model in declared.items():
                found.setdefault(str(name), model)
    return dict(sorted(found.items()))


def __getattr__(name: str) -> object:
    """``registry.ALL_TABLES`` as the contract first named it: computed on use, never stale."""
    if name == "ALL_TABLES":
        return all_tables()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
