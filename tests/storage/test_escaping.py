"""Any text a user types survives the round trip exactly, and no cell can run as a formula."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hms_desktop.storage import Store, escape_text, unescape_text

from .models import THINGS, Thing

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=40
)
risky = st.sampled_from(["=SUM(A1:A9)", "+1", "-2+3", "@cmd", "\tx", "\rx", "'=x", "''", "'", "a\nb", '"q"', ","])


@given(st.one_of(text, risky))
def test_escape_round_trips(value: str) -> None:
    assert unescape_text(escape_text(value)) == value
    assert not escape_text(value).startswith(TRIGGERS)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.one_of(text, risky), min_size=1, max_size=5), note=st.one_of(st.none(), text, risky))
@pytest.mark.slow
def test_text_survives_disk_and_no_cell_starts_a_formula(tmp_path_factory, names: list[str], note: str | None) -> None:
    folder: Path = tmp_path_factory.mktemp("data")
    store = Store(folder)
    saved = store.table(THINGS).insert_many(
        [Thing(name=n, born=date(1990, 1, 1), note=note, tags=[n]) for n in names]
    )
    store.close()
    store = Store(folder)
    loaded = store.table(THINGS).all()
    store.close()
    assert loaded == saved
    assert not store.quarantine
    with open(folder / "things.csv", encoding="utf-8-sig", newline="") as handle:
        for row in csv.reader(handle):
            assert not any(cell.startswith(TRIGGERS) for cell in row), row
