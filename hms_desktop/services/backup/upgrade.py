"""Opening a folder written by another version of HMS Desktop.

- An **older** folder is migrated when its tables load (each table rewritten once in the new
  layout). Before that, the whole folder is backed up into
  ``<data>/backups-before-upgrade/`` (encrypted when backups are set up, else a plain zip
  that stays inside the folder's own protection), so the upgrade can be undone.
- A **newer** folder (a later version wrote it) opens read-only, saying why: this version
  would not understand its new columns, and rewriting would lose them.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from hms_desktop.storage import Store
from hms_desktop.storage.registry import all_tables
from hms_desktop.storage.snapshot import take_snapshot

from .plan import load_plan
from .service import UPGRADE_BACKUPS, backup_file_name, write_backup_file

log = logging.getLogger(__name__)


def stored_schema_versions(data_dir: Path) -> dict[str, int]:
    """Each table's schema version as ``manifest.json`` records it (tolerant of its shape)."""
    try:
        manifest = json.loads((Path(data_dir) / "manifest.json").read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        return {}
    tables = manifest.get("tables") if isinstance(manifest, dict) else None
    versions: dict[str, int] = {}
    for name, value in (tables.items() if isinstance(tables, dict) else ()):
        if isinstance(value, dict):
            value = value.get("schema_version", value.get("schema"))
        if isinstance(value, int) and not isinstance(value, bool):
            versions[str(name)] = value
    return versions


def schema_changes(data_dir: Path) -> tuple[dict[str, tuple[int, int]], dict[str, tuple[int, int]]]:
    """(older tables, newer tables): name -> (stored version, this program's version)."""
    stored = stored_schema_versions(data_dir)
    older: dict[str, tuple[int, int]] = {}
    newer: dict[str, tuple[int, int]] = {}
    for spec in all_tables():
        version = stored.get(spec.name)
        if version is None or version == spec.schema_version:
            continue
        (older if version < spec.schema_version else newer)[spec.name] = (version, spec.schema_version)
    return older, newer


def newer_schema_reason(data_dir: Path, newer: dict[str, tuple[int, int]]) -> str:
    name, (stored, known) = sorted(newer.items())[0]
    return (f"{data_dir} was written by a newer HMS Desktop ({name} has schema version {stored}; "
            f"this version knows {known}). It opens read-only so that nothing the newer version "
            "wrote is lost; install the newer version to work in it")


def open_store(data_dir: Path, **options: Any) -> Store:
    """The Store for ``open_session``: read-only for a newer folder, backed up before migrating."""
    older, newer = schema_changes(data_dir)
    if newer:
        store = Store(data_dir, read_only=True, **options)
        store.access.lock_reason = newer_schema_reason(store.data_dir, newer)
        log.warning("opening read-only: %s", store.read_only_reason)
        return store
    store = Store(data_dir, **options)
    if older and not store.read_only:
        path = back_up_before_upgrade(store)
        log.info("backed up %s before migrating %s: %s", store.data_dir, ", ".join(sorted(older)), path)
    return store


def back_up_before_upgrade(store: Store) -> Path:
    """Call while holding the folder's lock and before any table loads (nothing writes yet)."""
    folder = store.data_dir / UPGRADE_BACKUPS
    folder.mkdir(exist_ok=True)
    try:
        plan = load_plan(store.data_dir)
        key = plan.backup_key() if plan.encrypt and plan.key is not None else None
    except ValueError:  # damaged plan: still back up, unencrypted, inside the folder
        key = None
    target = backup_file_name(datetime.now(), key is not None, folder)
    with take_snapshot(store.data_dir, exclude=(UPGRADE_BACKUPS,)) as snapshot:
        return write_backup_file(snapshot, target, key, {}).path
