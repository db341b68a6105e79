from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from hms_desktop.services.gc_pause import cyclic_gc_paused


@pytest.fixture(autouse=True)
def collector_enabled() -> Iterator[None]:
    """The test session runs with automatic collection off (tests/conftest.py); these tests
    are about the app's loading code when it is on."""
    gc.enable()
    yield
    gc.disable()


def test_collector_is_paused_inside_and_restored_after_even_on_error() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), cyclic_gc_paused():
        assert not gc.isenabled()
        raise RuntimeError("load failed")
    assert gc.isenabled()


def test_loaded_objects_are_frozen_out_of_later_collections() -> None:
    with cyclic_gc_paused():
        rows = [[str(n), "Smith"] for n in range(1000)]
    assert gc.get_freeze_count() >= len(rows)
    gc.unfreeze()


def test_a_disabled_collector_stays_disabled() -> None:
    gc.disable()
    try:
        with cyclic_gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()
