"""A model that gains, loses or renames a column never loses or quarantines a saved row.

Each test saves with one layout in a real subprocess that then dies by SIGKILL (a crash),
saves again with the next layout (another crash), and reopens the folder: every row the
crashed processes acknowledged is there, nothing is quarantined. Issue 10: saved means kept.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hms_desktop.storage import ReadOnlyError, Store
from hms_desktop.storage.journal import crc

from .models import THINGS
from .schema_change_writer import LAYOUTS

ROOT = Path(__file__).resolve().parents[2]


def crash_after_saving(folder: Path, layout: str, name: str, *, checkpoint: bool = False) -> str:
    """Save ``name`` with ``layout`` in a child process killed right after; its acknowledged ID."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.storage.schema_change_writer", str(folder), layout, name,
         *(["checkpoint"] if checkpoint else [])],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert result.returncode == -9, result.stderr  # it crashed: no close, no checkpoint at exit
    return result.stdout.strip()


def header(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8-sig").splitlines()[0].split(",")


@pytest.mark.parametrize("layout", ["added", "added-migrated"])
@pytest.mark.slow
def test_old_journal_then_a_model_with_one_more_column_keeps_every_row(tmp_path: Path, layout: str) -> None:
    folder = tmp_path / "data"
    ann = crash_after_saving(folder, "old", "Ann")  # a journal in the old columns, never checkpointed
    bob = crash_after_saving(folder, layout, "Bob")  # the new model appends, crashes again
    store = Store(folder)
    table = store.table(LAYOUTS[layout])
    assert store.quarantine == [] and store.findings() == [] and store.integrity_problems == []
    assert table.get(ann).name == "Ann" and table.get(ann).priority == 0  # type: ignore[union-attr]
    assert table.get(ann).note == "note of Ann"  # type: ignore[union-attr]
    assert table.get(bob).name == "Bob" and table.get(bob).priority == 3  # type: ignore[union-attr]
    carol = table.insert(LAYOUTS[layout].model.model_validate({"name": "Carol", "born": "1990-01-01"}))
    store.close()
    store = Store(folder)
    table = store.table(LAYOUTS[layout])
    assert [table.get(i).name for i in (ann, bob, carol.id)] == ["Ann", "Bob", "Carol"]  # type: ignore[union-attr]
    assert store.quarantine == [] and "priority" in header(folder / "things.csv")
    store.close()


@pytest.mark.parametrize("layout", ["added", "added-migrated"])
@pytest.mark.slow
def test_old_checkpoint_then_a_model_with_one_more_column_keeps_every_row(tmp_path: Path, layout: str) -> None:
    folder = tmp_path / "data"
    ann = crash_after_saving(folder, "old", "Ann", checkpoint=True)  # things.csv in the old columns
    assert "priority" not in header(folder / "things.csv")
    bob = crash_after_saving(folder, layout, "Bob")
    store = Store(folder)
    table = store.table(LAYOUTS[layout])
    assert store.quarantine == [] and store.findings() == [] and store.integrity_problems == []
    assert table.get(ann).priority == 0 and table.get(bob).priority == 3  # type: ignore[union-attr]
    assert "priority" in header(folder / "things.csv")  # rewritten once, in the new columns
    store.close()


@pytest.mark.slow
def test_a_hand_removed_column_is_still_named_not_taken_for_a_new_model(tmp_path: Path) -> None:
    """Only the engine's own files count as an older layout: a column a person deleted from a
    checkpoint is a finding, the folder asks for Repair, nothing is rewritten empty."""
    folder = tmp_path / "data"
    ann = crash_after_saving(folder, "old", "Ann", checkpoint=True)
    text = (folder / "things.csv").read_text(encoding="utf-8-sig").splitlines()
    at = text[0].split(",").index("note")
    (folder / "things.csv").write_text("\n".join(",".join(c for k, c in enumerate(line.split(",")) if k != at)
                                                for line in text) + "\n", encoding="utf-8")
    store = Store(folder)
    table = store.table(THINGS)
    assert table.get(ann).name == "Ann"  # type: ignore[union-attr]
    assert store.read_only and any("things.csv" in str(p) for p in store.integrity_problems)
    assert any("'note'" in finding and "missing" in finding for finding in store.findings())
    store.close()


@pytest.mark.parametrize("checkpoint", [False, True], ids=["journal", "checkpoint"])
@pytest.mark.slow
def test_a_removed_optional_column_is_named_and_its_values_are_kept(tmp_path: Path, checkpoint: bool) -> None:
    """docs/storage.md: a column the model does not know is named as ``file:1`` and the file
    is never rewritten while it has it, so the values in it are kept; nothing is quarantined."""
    folder = tmp_path / "data"
    ann = crash_after_saving(folder, "old", "Ann", checkpoint=checkpoint)
    store = Store(folder)
    table = store.table(LAYOUTS["removed"])
    assert table.get(ann).name == "Ann" and store.quarantine == []  # type: ignore[union-attr]
    assert any("'note' is not a column of things" in finding for finding in store.findings())
    if checkpoint:  # no journal yet: a new one is started in today's columns
        bob = table.insert(LAYOUTS["removed"].model.model_validate({"name": "Bob", "born": "1990-01-01"}))
    else:  # never appended where it could not be read back
        with pytest.raises(ReadOnlyError, match="other columns"):
            table.insert(LAYOUTS["removed"].model.model_validate({"name": "Bob", "born": "1990-01-01"}))
    store.close()
    store = Store(folder)  # the old program again: the note is still there
    table = store.table(THINGS)
    assert table.get(ann).note == "note of Ann" and store.quarantine == []  # type: ignore[union-attr]
    if checkpoint:
        assert table.get(bob.id).name == "Bob" and table.get(bob.id).note is None  # type: ignore[union-attr]
    store.close()


@pytest.mark.parametrize("layout", ["removed-migrated", "renamed-migrated"])
@pytest.mark.slow
def test_a_removed_or_renamed_column_with_a_migration_keeps_every_row(tmp_path: Path, layout: str) -> None:
    folder = tmp_path / "data"
    ann = crash_after_saving(folder, "old", "Ann")
    bob = crash_after_saving(folder, layout, "Bob")
    store = Store(folder)
    table = store.table(LAYOUTS[layout])
    assert store.quarantine == [] and store.findings() == [] and store.integrity_problems == []
    assert table.get(ann).name == "Ann" and table.get(bob).name == "Bob"  # type: ignore[union-attr]
    if layout == "renamed-migrated":
        assert table.get(ann).remark == "note of Ann"  # type: ignore[union-attr]
    store.close()


@pytest.mark.slow
def test_a_renamed_column_without_a_migration_is_named_and_nothing_is_lost(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    ann = crash_after_saving(folder, "old", "Ann")
    store = Store(folder)
    table = store.table(LAYOUTS["renamed"])
    assert store.quarantine == [] and table.get(ann).name == "Ann"  # type: ignore[union-attr]
    assert any("'note' is not a column" in finding for finding in store.findings())
    with pytest.raises(ReadOnlyError):
        table.insert(LAYOUTS["renamed"].model.model_validate({"name": "Bob", "born": "1990-01-01"}))
    store.close()
    store = Store(folder)
    assert store.table(THINGS).get(ann).note == "note of Ann"  # type: ignore[union-attr]
    store.close()


def test_a_journal_appended_in_new_columns_by_the_earlier_bug_loads_whole(tmp_path: Path) -> None:
    """A folder written before the fix: a line in the new model's columns was appended under
    the journal's old header. Its checksum proves which columns it has, so it loads."""
    folder = tmp_path / "data"
    ann = crash_after_saving(folder, "old", "Ann")
    journal = folder / "things.journal.csv"
    old_header = header(journal)
    cells = ("THG000777", "Bob", "1990-01-01", "red", "0", "", "[]", "", "5", "1",
             "2026-12-03T09:00:00+00:00", "nurse", "2")
    assert len(cells) == len(old_header) - 2 + 1  # one more column than the journal's header
    with journal.open("a", encoding="utf-8") as handle:
        handle.write(",".join(("insert", crc(cells), *cells)) + "\n")
    store = Store(folder)
    table = store.table(LAYOUTS["added"])
    assert store.quarantine == [] and store.findings() == []
    assert table.get(ann).name == "Ann" and table.get("THG000777").priority == 5  # type: ignore[union-attr]
    store.close()
    store = Store(folder)
    assert store.table(LAYOUTS["added"]).get("THG000777").name == "Bob"  # type: ignore[union-attr]
    store.close()
