"""The table engine as a user of the data folder sees it: saved means saved, history, IDs."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from hms_desktop.storage import ReadOnlyError, Store, TableSpec

from .models import THINGS, Colour, Thing


def thing(name: str = "Ann", **kw: object) -> Thing:
    return Thing(name=name, born=date(1980, 5, 17), **kw)  # type: ignore[arg-type]


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_insert_is_on_disk_before_close(data_dir: Path) -> None:
    store = Store(data_dir)
    saved = store.table(THINGS).insert(thing("Ann"))
    assert saved.id == "THG000001"
    # A second reader (the journal is the durable copy until a checkpoint) sees it now.
    reader = Store(data_dir, read_only=True)
    assert reader.table(THINGS).get("THG000001") == saved
    store.close()


def test_checkpoint_writes_a_spreadsheet_friendly_table(data_dir: Path) -> None:
    store = Store(data_dir)
    table = store.table(THINGS)
    table.insert(thing("Zoë", tags=["a", "b,c"], weight=61.5))
    store.close()
    rows = read_csv(data_dir / "things.csv")
    assert rows[0]["name"] == "Zoë" and rows[0]["born"] == "1980-05-17"
    assert rows[0]["tags"] == '["a","b,c"]' and rows[0]["weight"] == "61.5"
    assert rows[0]["version"] == "1" and rows[0]["updated_by"]
    assert (data_dir / "things.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for spreadsheets
    assert not (data_dir / "things.journal.csv").exists()
    assert list((data_dir / "history").glob("things.*.journal.csv"))


def test_update_keeps_every_version_with_who_and_when(data_dir: Path) -> None:
    store = Store(data_dir, actor="nurse.kim")
    table = store.table(THINGS)
    first = table.insert(thing("Ann"))
    table.update(first.id, {"name": "Anne"})
    table.update(first.id, {"colour": Colour.BLUE})
    store.close()
    store = Store(data_dir, actor="dr.lee")
    table = store.table(THINGS)
    table.update(first.id, {"score": 3})
    history = table.history(first.id)
    assert [(v.version, v.op, v.record.name, v.by) for v in history] == [
        (1, "insert", "Ann", "nurse.kim"),
        (2, "update", "Anne", "nurse.kim"),
        (3, "update", "Anne", "nurse.kim"),
        (4, "update", "Anne", "dr.lee"),
    ]
    assert history[2].record.colour is Colour.BLUE
    assert table.meta(first.id).version == 4
    store.close()


def test_update_that_changes_nothing_writes_no_version(data_dir: Path) -> None:
    store = Store(data_dir)
    table = store.table(THINGS)
    first = table.insert(thing())
    table.update(first.id, {"name": "Ann"})
    assert len(table.history(first.id)) == 1
    store.close()


def test_invalid_model_writes_nothing(data_dir: Path) -> None:
    store = Store(data_dir)
    table = store.table(THINGS)
    table.insert(thing())
    with pytest.raises(ValidationError):
        table.update("THG000001", {"name": ""})
    with pytest.raises(ValidationError):
        table.insert_many([thing("Bea"), Thing.model_construct(name="", born=date(2000, 1, 1))])
    assert len(table) == 1 and table.get("THG000001").name == "Ann"  # type: ignore[union-attr]
    store.close()
    assert len(read_csv(data_dir / "things.csv")) == 1


def test_ids_are_never_reused_across_restarts(data_dir: Path) -> None:
    store = Store(data_dir)
    store.table(THINGS).insert_many([thing(), thing("Bo")])
    store.close()
    store = Store(data_dir)
    assert store.table(THINGS).insert(thing("Cy")).id == "THG000003"
    store.close()


def test_ids_grow_past_six_digits_and_stay_findable(data_dir: Path) -> None:
    store = Store(data_dir)
    table = store.table(THINGS)
    table.insert(thing(id="THG999999"))
    grown = table.insert(thing("Next"))
    assert grown.id == "THG1000000"
    store.close()
    store = Store(data_dir)
    table = store.table(THINGS)
    assert table.get("THG1000000").name == "Next"  # type: ignore[union-attr]
    assert table.insert(thing("After")).id == "THG1000001"
    store.close()


def test_where_index_follows_updates(data_dir: Path) -> None:
    store = Store(data_dir)
    table = store.table(THINGS)
    a = table.insert(thing("A"))
    table.insert(thing("B", colour=Colour.BLUE))
    assert [t.name for t in table.where("colour", Colour.RED)] == ["A"]
    table.update(a.id, {"colour": Colour.BLUE})
    assert table.where("colour", Colour.RED) == []
    assert sorted(t.name for t in table.where("colour", "blue")) == ["A", "B"]
    store.close()


def test_second_instance_is_read_only_and_says_who_holds_the_folder(data_dir: Path) -> None:
    writer = Store(data_dir)
    writer.table(THINGS).insert(thing())
    second = Store(data_dir)
    assert second.read_only
    assert "read-only" in second.read_only_reason and "process" in second.read_only_reason
    with pytest.raises(ReadOnlyError):
        second.table(THINGS).insert(thing("Bo"))
    assert len(second.table(THINGS)) == 1
    second.close()
    writer.close()
    third = Store(data_dir)
    assert not third.read_only
    third.close()


def test_header_is_matched_by_name_not_position(data_dir: Path) -> None:
    (data_dir / "things.csv").write_text(
        "name,id,born,colour,score,weight,tags,note,version,updated_at,updated_by,seq\n"
        "Ann,THG000004,1980-05-17,red,1,,[],,1,2026-01-01T00:00:00+00:00,me,1\n",
        encoding="utf-8",
    )
    store = Store(data_dir)
    table = store.table(THINGS)
    assert table.get("THG000004").name == "Ann"  # type: ignore[union-attr]
    assert table.insert(thing("Bo")).id == "THG000005"
    store.close()


def test_migration_from_an_older_schema(data_dir: Path) -> None:
    (data_dir / "things.csv").write_text(
        "id,full_name,born\nTHG000001,Ann,1980-05-17\n", encoding="utf-8"
    )

    def rename_full_name(row: dict[str, str]) -> dict[str, str]:
        row["name"] = row.pop("full_name")
        return row

    spec_v2 = TableSpec(name="things", model=Thing, id_prefix="THG", schema_version=2,
                        migrations={1: rename_full_name})
    store = Store(data_dir)
    assert store.table(spec_v2).get("THG000001").name == "Ann"  # type: ignore[union-attr]
    store.close()
    assert read_csv(data_dir / "things.csv")[0]["name"] == "Ann"
    manifest = json.loads((data_dir / "manifest.json").read_text(encoding="utf-8-sig"))
    assert manifest["tables"]["things"]["schema_version"] == 2


def test_history_finds_versions_across_rotated_journals_and_multiline_notes(data_dir: Path) -> None:
    store = Store(data_dir, checkpoint_every=3)  # rotate the journal often
    table = store.table(THINGS)
    target = table.insert(thing("Ann"))
    for n in range(10):
        table.insert(thing(f"Other {n}", note=f"mentions {target.id}"))  # the ID in another row's text
        if n % 3 == 0:
            table.update(target.id, {"score": n, "note": f"line one\nline {n}"})
    store.close()
    store = Store(data_dir)
    history = store.table(THINGS).history(target.id)
    assert [v.version for v in history] == [1, 2, 3, 4, 5]
    assert {v.record.name for v in history} == {"Ann"}
    assert history[-1].record.note == "line one\nline 9" and history[-1].record.score == 9
    assert len(list((data_dir / "history").glob("things.*.journal.csv"))) >= 4
    store.close()
