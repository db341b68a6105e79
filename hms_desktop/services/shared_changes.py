"""Changes saved by other workstations, delivered like this workstation's own.

On a server shared by several workstations (storage/backend.py ``SharedStore``) the store
reports rows other workstations committed. Here they update the in-memory indexes that
search and the schedule read, then go on the bus as a ``Change`` like a local save's, so every open view refreshes as it
does after a local save.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hms_desktop.storage.backend import SharedStore, StoredChange
from hms_desktop.storage.patients import PATIENTS
from hms_desktop.storage.scheduling import APPOINTMENTS

from .bus import Change, EventBus


def relay_changes(store: object, services: Any, bus: EventBus) -> Callable[[], None] | None:
    """Subscribe to the store's changes from elsewhere; returns the unsubscribe, or None (CSV)."""
    if not isinstance(store, SharedStore):
        return None

    def on_change(change: StoredChange) -> None:
        if change.table == PATIENTS.name:
            services.patients.index_changed(change.ids)
        elif change.table == APPOINTMENTS.name:
            services.scheduling.index_changed(change.ids)
        bus.publish(Change(change.table, change.ids, change.op))

    return store.subscribe_changes(on_change)
