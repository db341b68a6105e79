"""The promises of docs/storage.md, kept by both backends (CSV folder and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from hms_desktop.storage import ReadOnlyError

from .backend_fixtures import OpenStore
from .models import THINGS, Colour, Sample, Thing

pytest_plugins = ["tests.storage.backend_fixtures"]


def thing(name: str = "Ann", **kw: object) -> Thing:
    return Thing(name=name, born=date(1980, 5, 17), **kw)  # type: ignore[arg-type]


def test_saved_record_is_there_after_reopening(open_backend: OpenStore) -> None:
    store = open_backend()
    saved = store.table(THINGS).insert(thing("Zoë", tags=["a", "b,c"], weight=61.5, note="=1+1"))
    store.close()
    again = open_backend().table(THINGS)
    assert saved.id == "THG000001"
    assert again.get("THG000001") == saved
    assert again.column("note") == ["=1+1"]  # as typed, whatever the backend stores


def test_every_version_is_kept_with_who_and_when(open_backend: OpenStore) -> None:
    store = open_backend(actor="reception")
    table = store.table(THINGS)
    first = table.insert(thing("Ann"))
    table.update(first.id, {"colour": Colour.BLUE})
    table.update(first.id, thing("Anne", colour=Colour.BLUE))
    store.close()
    history = open_backend().table(THINGS).history(first.id)
    assert [(v.version, v.record.name, v.record.colour, v.by) for v in history] == [
        (1, "Ann", Colour.RED, "reception"), (2, "Ann", Colour.BLUE, "reception"),
        (3, "Anne", Colour.BLUE, "reception")]
    assert all(v.at is not None and v.at.tzinfo is not None for v in history)


def test_the_newest_of_many_versions_is_read_after_reopening(open_backend: OpenStore) -> None:
    """Past nine versions and nine saves (where text order of "10" and "9" differs)."""
    store = open_backend()
    table = store.table(THINGS)
    first, *_ = table.insert_many([thing(f"P{n}") for n in range(12)])
    for n in range(11):
        table.update(first.id, {"name": f"Ann {n}"})
    store.close()
    again = open_backend().table(THINGS)
    assert again.get(first.id).name == "Ann 10" and again.meta(first.id).version == 12
    assert [v.version for v in again.history(first.id)] == list(range(1, 13))
    assert again.ids()[:3] == [first.id, "THG000002", "THG000003"]


def test_an_update_that_changes_nothing_saves_no_version(open_backend: OpenStore) -> None:
    table = open_backend().table(THINGS)
    saved = table.insert(thing())
    table.update(saved.id, {"name": "Ann"})
    assert table.meta(saved.id).version == 1


def test_where_follows_updates(open_backend: OpenStore) -> None:
    table = open_backend().table(THINGS)
    a, b = table.insert_many([thing("Ann"), thing("Bob")])
    assert [t.id for t in table.where("colour", Colour.RED)] == [a.id, b.id]
    table.update(a.id, {"colour": Colour.BLUE})
    assert [t.id for t in table.where("colour", Colour.RED)] == [b.id]
    assert [t.id for t in table.where("colour", "blue")] == [a.id]


def test_columns_where_gives_the_cells_as_typed_and_follows_updates(open_backend: OpenStore) -> None:
    """Live NEWS2 reads a patient's observations this way (services/observation_sets.py)."""
    table = open_backend().table(THINGS)
    a, b, _c = table.insert_many([thing("Ann", note="=1+1"), thing("Bob"), thing("Cy", colour=Colour.BLUE)])
    ids, cells = table.columns_where("colour", "red", ["name", "note"])
    assert ids == [a.id, b.id] and cells == {"name": ["Ann", "Bob"], "note": ["=1+1", ""]}
    table.update(a.id, {"colour": Colour.BLUE})
    assert table.columns_where("colour", "red", ["name"]) == ([b.id], {"name": ["Bob"]})


def test_invalid_record_is_refused_and_nothing_is_written(open_backend: OpenStore) -> None:
    store = open_backend()
    with pytest.raises(ValidationError):
        store.table(THINGS).insert_many([thing("Ann"), Thing.model_construct(name="", born=date(1980, 1, 1))])
    store.close()
    assert len(open_backend().table(THINGS)) == 0


def test_a_batch_with_a_duplicate_id_saves_nothing_and_ids_are_never_reused(open_backend: OpenStore) -> None:
    store = open_backend()
    table = store.table(THINGS)
    table.insert(thing("Ann"))
    with pytest.raises(ValueError, match="THG000001"):
        table.insert_many([thing("Bob"), thing("Cy", id="THG000001")])
    store.close()
    table = open_backend().table(THINGS)
    assert table.ids() == ["THG000001"]
    later = table.insert(thing("Dee"))
    assert later.id > "THG000001"
    assert table.get("THG000001").name == "Ann"  # type: ignore[union-attr]


def test_a_given_id_moves_the_numbering_past_it(open_backend: OpenStore) -> None:
    table = open_backend().table(THINGS)
    table.insert(thing("Migrated", id="THG000041"))
    assert table.insert(thing("New")).id == "THG000042"


def test_read_only_store_refuses_writes(open_backend: OpenStore) -> None:
    writer = open_backend()
    writer.table(THINGS).insert(thing())
    reader = open_backend(read_only=True)
    assert reader.read_only
    assert len(reader.table(THINGS)) == 1
    with pytest.raises(ReadOnlyError):
        reader.table(THINGS).insert(thing("Bob"))


def test_time_series_reads_back_by_time_range_across_days(open_backend: OpenStore) -> None:
    store = open_backend()
    log = store.day_log("samples", Sample)
    start = datetime(2026, 1, 31, 23, 59, 58, tzinfo=UTC)  # crosses a day and a month
    log.append([Sample(at=start + timedelta(seconds=s), bed="B1", spo2=90 + s) for s in range(4)])
    store.close()
    log = open_backend().day_log("samples", Sample)
    rows = log.read(start + timedelta(seconds=1), start + timedelta(seconds=3))
    assert [r.spo2 for r in rows] == [91, 92]
    assert log.days() == [date(2026, 1, 31), date(2026, 2, 1)]
    frame = log.read_frame(start, start + timedelta(seconds=10), where={"bed": "B1"})
    assert frame["spo2"].tolist() == ["90", "91", "92", "93"]
