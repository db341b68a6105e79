"""The CSV engine is one implementation of the storage interfaces the services use."""

from __future__ import annotations

from pathlib import Path

from hms_desktop.domain.monitoring import VitalsRow
from hms_desktop.storage import Store
from hms_desktop.storage.backend import (
    DayLogBackend,
    SharedStore,
    StoreBackend,
    TableBackend,
    exclusive,
)

from .models import THINGS

pytest_plugins = ["tests.storage.backend_fixtures"]


def test_the_csv_folder_satisfies_every_backend_interface(data_dir: Path) -> None:
    store = Store(data_dir)
    try:
        assert isinstance(store, StoreBackend)
        assert isinstance(store.table(THINGS), TableBackend)
        assert isinstance(store.day_log("vitals", VitalsRow), DayLogBackend)
        # One writer per folder: nothing to share, so no cross-workstation lock is taken.
        assert not isinstance(store, SharedStore)
        with exclusive(store, "things") as changed:
            assert changed == {"things": []}
    finally:
        store.close()


def test_the_server_backend_satisfies_the_same_interfaces(pg_url: str, data_dir: Path) -> None:
    from hms_desktop.storage.postgres import open_pg_store

    store = open_pg_store(pg_url, data_dir=data_dir)
    try:
        assert isinstance(store, StoreBackend) and isinstance(store, SharedStore)
        assert isinstance(store.table(THINGS), TableBackend)
        assert isinstance(store.day_log("vitals", VitalsRow), DayLogBackend)
    finally:
        store.close()
