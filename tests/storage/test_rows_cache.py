"""The rows cache (``.cache/<table>.rows``) makes a clean table open without parsing, and is
never a source of truth: whatever happens to the checkpoint or to the cache, a reopened
table holds exactly what parsing and checking ``<table>.csv`` gives, bad rows are still
quarantined, and a spreadsheet edit is still named."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from hms_desktop.storage import Store, TableSpec, rows_cache
from hms_desktop.storage import table_load as table_load_module
from hms_desktop.storage.repair import repair
from hms_desktop.storage.rows_cache import cache_path
from hms_desktop.storage.snapshot import data_files

from .models import THINGS, Thing

ROOT = Path(__file__).resolve().parents[2]


def thing(name: str, **kw: object) -> Thing:
    return Thing(name=name, born=date(1980, 5, 17), **kw)  # type: ignore[arg-type]


def rows_of(folder: Path, spec: TableSpec = THINGS) -> tuple[dict[str, tuple[str, ...]], list[str]]:
    """What a fresh open loads: every row's cells and the quarantine's reasons."""
    store = Store(folder)
    try:
        table = store.table(spec)
        return dict(table._rows), [f"{q.line}: {q.reason}" for q in store.quarantine]
    finally:
        store.close()


@contextmanager
def parsing_forbidden(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail if the checkpoint is parsed (the cache must have served it)."""
    def refuse(data: bytes) -> object:
        raise AssertionError("the checkpoint was parsed although its rows cache is current")

    with monkeypatch.context() as patch:
        patch.setattr(table_load_module, "parse_bytes", refuse)
        yield


def saved_folder(folder: Path, names: list[str]) -> Path:
    store = Store(folder)
    store.table(THINGS).insert_many([thing(n) for n in names])
    store.close()  # the checkpoint writes the table and its rows cache
    return folder


def test_a_clean_table_reopens_from_the_cache_with_exactly_the_parsed_rows(
        data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    saved_folder(data_dir, ["Ann", "Bo", "=HYPERLINK(\"x\")", "'quoted", 'say "hi", then\r\nleave', "Zoë 🩺"])
    assert cache_path(data_dir, "things").exists()
    with parsing_forbidden(monkeypatch):
        cached, problems = rows_of(data_dir)
    assert not problems
    cache_path(data_dir, "things").unlink()
    parsed, _ = rows_of(data_dir)  # parsed and checked, as without a cache
    assert cached == parsed and len(parsed) == 6
    with parsing_forbidden(monkeypatch):  # the clean load wrote the cache again
        assert rows_of(data_dir)[0] == parsed


def next_saves(folder: Path) -> tuple[str, str]:
    """The ID and the change number the next save gets after a fresh open."""
    store = Store(folder)
    try:
        saved = store.table(THINGS).insert(thing("Next"))
        return saved.id, store.table(THINGS)._rows[saved.id][-1]
    finally:
        store.close()


@pytest.mark.parametrize("journal_after_checkpoint", [False, True])
def test_ids_and_change_numbers_continue_alike_from_the_cache_and_from_parsing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, journal_after_checkpoint: bool) -> None:
    """The cache keeps the checkpoint's highest change and ID numbers beside its rows; a
    journal written after the checkpoint still moves them on, and no ID is issued twice."""
    folder = saved_folder(tmp_path / "a", [f"P{i}" for i in range(30)])
    if journal_after_checkpoint:  # saves, then the process dies before any checkpoint
        script = ("import os, sys; from datetime import date; from hms_desktop.storage import Store;"
                  "from tests.storage.models import THINGS, Thing;"
                  "table = Store(sys.argv[1]).table(THINGS);"
                  "table.insert_many([Thing(name=n, born=date(1980, 5, 17)) for n in ('Late 1', 'Late 2')]);"
                  "table.update(table.ids()[3], Thing(name='Renamed', born=date(1980, 5, 17)));"
                  "os._exit(0)")
        subprocess.run([sys.executable, "-c", script, str(folder)], check=True, cwd=ROOT,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    twin = tmp_path / "b"
    shutil.copytree(folder, twin)
    cache_path(twin, "things").unlink()
    with parsing_forbidden(monkeypatch):
        from_cache = next_saves(folder)
    assert from_cache == next_saves(twin)
    # After a crash the rest of the ID block reserved in the manifest is skipped, never reused.
    assert int(from_cache[0][3:]) > (32 if journal_after_checkpoint else 30)


cells = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(cells, min_size=1, max_size=8), note=st.one_of(st.none(), cells))
@example(names=["NUL \x00 inside", "unit \x1f separator", "record \x1e separator", "\r", "'=1+2", '"'], note="a\r\nb,\"c\"")
@pytest.mark.slow
def test_cached_rows_equal_parsed_rows_for_any_text(tmp_path_factory: pytest.TempPathFactory,
                                                     names: list[str], note: str | None) -> None:
    folder = tmp_path_factory.mktemp("any-text")
    store = Store(folder)
    store.table(THINGS).insert_many([thing(n, note=note) for n in names])
    store.close()
    from_cache = rows_of(folder)
    cache_path(folder, "things").unlink(missing_ok=True)  # a cell it cannot hold: never written
    assert from_cache == rows_of(folder)


def test_a_same_size_spreadsheet_edit_with_the_old_time_is_still_checked_and_named(data_dir: Path) -> None:
    saved_folder(data_dir, ["Ann", "Bo", "Cy"])
    checkpoint = data_dir / "things.csv"
    before = checkpoint.stat()
    text = checkpoint.read_bytes().decode("utf-8")
    assert "1980-05-17" in text
    checkpoint.write_bytes(text.replace("1980-05-17", "17/05/1980", 1).encode("utf-8"))  # same size
    os.utime(checkpoint, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the same time
    store = Store(data_dir)
    try:
        table = store.table(THINGS)
        assert len(table) == 2  # the edited row is not loaded from the cache
        assert any("17/05/1980" in q.reason and q.line == 2 for q in store.quarantine)
        assert store.read_only and "things.csv" in store.read_only_reason  # not what was saved
    finally:
        store.close()


def test_a_truncated_checkpoint_is_named_and_only_what_it_holds_loads(data_dir: Path) -> None:
    saved_folder(data_dir, ["Ann", "Bo", "Cy"])
    checkpoint = data_dir / "things.csv"
    data = checkpoint.read_bytes()
    checkpoint.write_bytes(data[: data.rindex(b"\n", 0, len(data) - 1) + 1])  # the last row cut off
    store = Store(data_dir)
    try:
        assert store.read_only and "things.csv" in store.read_only_reason
        assert len(store.table(THINGS)) == 2
    finally:
        store.close()


@pytest.mark.parametrize("damage", ["flipped byte", "truncated", "empty", "garbage header", "another table"])
def test_a_damaged_or_foreign_cache_is_ignored_and_rewritten(data_dir: Path, damage: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    saved_folder(data_dir, ["Ann", "Bo", "Cy"])
    cache_path(data_dir, "things").unlink()
    expected, _ = rows_of(data_dir)
    cache = cache_path(data_dir, "things")
    data = cache.read_bytes()
    match damage:
        case "flipped byte":
            spoiled = data[:-5] + bytes([data[-5] ^ 0x01]) + data[-4:]
        case "truncated":
            spoiled = data[: len(data) - 7]
        case "empty":
            spoiled = b""
        case "garbage header":
            spoiled = b"{not json\n" + data.split(b"\n", 1)[1]
        case _:  # a cache of other rows, written for another checkpoint
            other = saved_folder(data_dir / "other", ["Xi", "Yu", "Zed"])
            spoiled = cache_path(other, "things").read_bytes()
    cache.write_bytes(spoiled)
    rows, problems = rows_of(data_dir)
    assert rows == expected and not problems
    with parsing_forbidden(monkeypatch):
        assert rows_of(data_dir)[0] == expected  # healed by that load


class Relabelled(BaseModel):
    """``things`` as a later model sees it: ``note`` became a date (no migration)."""

    id: str = ""
    name: str
    born: date
    colour: str = "red"
    score: int = 0
    weight: float | None = None
    tags: list[str] = []
    note: date | None = None


def test_a_model_whose_checks_changed_never_trusts_the_old_cache(data_dir: Path) -> None:
    store = Store(data_dir)
    store.table(THINGS).insert_many([thing("Ann", note="not a date"), thing("Bo")])
    store.close()
    assert cache_path(data_dir, "things").exists()
    rows, problems = rows_of(data_dir, TableSpec(name="things", model=Relabelled, id_prefix="THG"))
    assert list(rows) == ["THG000002"]
    assert any("'not a date' is not a valid date" in p for p in problems)


def test_a_read_only_instance_writes_no_cache(data_dir: Path) -> None:
    saved_folder(data_dir, ["Ann"])
    cache_path(data_dir, "things").unlink()
    reader = Store(data_dir, read_only=True)
    assert len(reader.table(THINGS)) == 1
    reader.close()
    assert not cache_path(data_dir, "things").exists()


def test_rows_repair_accepted_with_errors_are_quarantined_at_every_open(data_dir: Path) -> None:
    saved_folder(data_dir, ["Ann", "Bo"])
    checkpoint = data_dir / "things.csv"
    checkpoint.write_bytes(checkpoint.read_bytes().replace(b"1980-05-17", b"31/02/1980", 1))
    store = Store(data_dir)
    repair(store, [THINGS], by="Dr Ada Lovelace")  # accepted as it is: the bad row stays in the file
    store.close()
    for _ in range(2):
        rows, problems = rows_of(data_dir)
        assert len(rows) == 1 and any("31/02/1980" in p for p in problems)
    assert not cache_path(data_dir, "things").exists()


def test_backups_leave_the_disposable_cache_out(data_dir: Path) -> None:
    saved_folder(data_dir, ["Ann"])
    names = {p.relative_to(data_dir).as_posix() for p in data_files(data_dir)}
    assert "things.csv" in names and not any(n.startswith(".cache") for n in names)


@pytest.mark.slow
def test_the_cache_is_current_for_the_next_process_whatever_its_hash_seed() -> None:
    """The next start is another process: a fingerprint must not depend on set order."""
    code = ("from hms_desktop.storage.rows_cache import fingerprint; from tests.storage.models import THINGS; "
            "print(fingerprint(THINGS.columns, {**THINGS.kinds(), **table_load._ENGINE_KINDS}))")
    prints = {subprocess.run([sys.executable, "-c", "from hms_desktop.storage import table_load; " + code],
                             capture_output=True, text=True, check=True, cwd=ROOT,
                             env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}).stdout
              for seed in ("1", "2", "3")}
    assert len(prints) == 1


def test_a_nearly_full_disk_gets_no_cache(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rows_cache, "KEEP_FREE", shutil.disk_usage(data_dir).free + 1)  # as if nearly full
    saved_folder(data_dir, ["Ann", "Bo"])
    assert not cache_path(data_dir, "things").exists()
    assert len(rows_of(data_dir)[0]) == 2
