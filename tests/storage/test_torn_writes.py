"""A power cut can tear the last write anywhere (a ``kill -9`` cannot): cut the journal at
every byte offset of its last record and of a batch, reopen, and check that every committed
change is there, a batch is all or nothing, nothing is reported as a problem, and the next
write after the tear is kept."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from hms_desktop.storage import INTERRUPTED, Store

from .hostile import check
from .models import THINGS, Thing


def _die(store: Store) -> None:
    """The process dies here. This test dies a thousand times in one process, and each leaked
    descriptor would count against the process's limit, so the files are let go as a death
    would let them go."""
    store.abandon()


def _thing(name: str, note: str | None = None) -> Thing:
    return Thing(name=name, born=date(1990, 1, 1), note=note)


@pytest.fixture(scope="module")
def torn_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, int, list[str]]:
    """A folder whose journal ends with one insert, then a 3-row batch (one with a two-line note)."""
    folder = tmp_path_factory.mktemp("torn") / "data"
    store = Store(folder)
    table = store.table(THINGS)
    first = table.insert(_thing("committed"))
    journal = table.journal_path
    before_single = journal.stat().st_size
    single = table.insert(_thing("single", note="=formula, \"quoted\""))
    before_batch = journal.stat().st_size
    batch = table.insert_many([_thing("b1"), _thing("b2", note="line one\nline two"), _thing("b3")])
    _die(store)
    return folder, before_single, before_batch, [first.id, single.id, *(b.id for b in batch)]


def _reopen_cut(template: Path, target: Path, cut: int) -> tuple[list[str], list[str]]:
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(template, target)
    journal = target / "things.journal.csv"
    journal.write_bytes(journal.read_bytes()[:cut])
    store = Store(target)
    table = store.table(THINGS)
    ids = table.ids()
    reasons = [q.reason for q in store.quarantine]
    assert not store.read_only, store.read_only_reason
    after = table.insert(_thing("after the tear"))
    _die(store)
    store = Store(target)
    assert after.id in store.table(THINGS) and store.table(THINGS).get(after.id).name == "after the tear"
    assert [i for i in store.table(THINGS).ids() if i != after.id] == ids
    store.close()
    return ids, reasons


@pytest.mark.slow
def test_a_torn_batch_is_all_or_nothing_at_every_byte(torn_template: tuple[Path, int, int, list[str]],
                                                      tmp_path: Path) -> None:
    template, _, before_batch, ids = torn_template
    end = (template / "things.journal.csv").stat().st_size
    for cut in range(before_batch, end + 1):
        loaded, reasons = _reopen_cut(template, tmp_path / "cut", cut)
        expected = ids if cut == end else ids[:2]
        assert loaded == expected, f"cut at byte {cut}: {loaded}"
        assert all(r in INTERRUPTED for r in reasons), (cut, reasons)


@pytest.mark.slow
def test_a_torn_single_record_is_all_or_nothing_at_every_byte(torn_template: tuple[Path, int, int, list[str]],
                                                              tmp_path: Path) -> None:
    template, before_single, before_batch, ids = torn_template
    for cut in range(before_single, before_batch + 1):
        loaded, reasons = _reopen_cut(template, tmp_path / "cut", cut)
        assert loaded == (ids[:2] if cut == before_batch else ids[:1]), f"cut at byte {cut}"
        assert all(r in INTERRUPTED for r in reasons), (cut, reasons)


def test_check_calls_a_torn_tail_a_note_and_the_folder_clean(torn_template: tuple[Path, int, int, list[str]],
                                                             tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HMS_EXTRA_STORAGE_MODULES", "tests.storage.models")
    template, _, before_batch, _ = torn_template
    folder = tmp_path / "data"
    shutil.copytree(template, folder)
    journal = folder / "things.journal.csv"
    journal.write_bytes(journal.read_bytes()[: before_batch + 60])
    code, out = check(folder)
    assert code == 0, out
    assert f"note: {journal}:" in out and "interrupted by a crash" in out
