"""Rows are held as one string per row in memory (``storage/packed_rows.py``): whatever a
cell holds — the separators themselves included — every read gives back exactly what was
saved, before and after a restart, through every reader (record, column, search by value)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hms_desktop.storage import Store

from .models import THINGS, Thing

texts = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(texts, min_size=1, max_size=6), note=st.one_of(st.none(), texts))
@example(names=["unit \x1f separator", "record \x1e separator", "plain", "=1+2"], note="\x1f\x1e")
def test_every_reader_gives_back_what_was_saved_for_any_text(tmp_path_factory: pytest.TempPathFactory,
                                                            names: list[str], note: str | None) -> None:
    folder = tmp_path_factory.mktemp("packed")
    store = Store(folder)
    saved = store.table(THINGS).insert_many([Thing(name=n, born=date(1990, 1, 2), note=note, score=k)
                                             for k, n in enumerate(names)])
    store.close()
    for _ in range(2):  # the first reopen parses the checkpoint, the second may use the rows cache
        store = Store(folder)
        try:
            table = store.table(THINGS)
            assert [table.get(t.id) for t in saved] == saved
            assert table.all() == saved
            # the name is cut from the front of a row, the note from its back
            assert table.column("name") == names
            assert table.columns(["note", "name", "id"]) == {
                "note": [note or ""] * len(names), "name": names, "id": [t.id for t in saved]}
            assert table.where("name", names[-1])[-1] == saved[-1]
            assert table.frame(["name"])["name"].tolist() == names
        finally:
            store.close()


def test_a_row_changed_to_hold_the_separator_and_back_reads_back_each_time(data_dir: Path) -> None:
    store = Store(data_dir)
    table = store.table(THINGS)
    first = table.insert(Thing(name="Ann", born=date(1990, 1, 2), note="a\x1fb"))
    table.insert(Thing(name="Bo", born=date(1991, 1, 2)))
    table.update(first.id, {"note": "plain"})
    table.update(first.id, {"note": "c\x1ed\x1f"})
    store.close()
    store = Store(data_dir)
    try:
        table = store.table(THINGS)
        assert table.column("note") == ["c\x1ed\x1f", ""]
        assert table.column("name") == ["Ann", "Bo"]
        assert [v.record.note for v in table.history(first.id)] == ["a\x1fb", "plain", "c\x1ed\x1f"]
    finally:
        store.close()
