"""Rows a person broke in a spreadsheet, or a crash tore, go to quarantine; the rest loads."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hms_desktop.storage import Store

from .models import THINGS, Thing

HEADER = "id,name,born,colour,score,weight,tags,note,version,updated_at,updated_by,seq\n"
GOOD = "THG000001,Ann,1980-05-17,red,1,,[],,1,2026-01-01T00:00:00+00:00,me,1\n"


def test_hand_edited_bad_rows_are_quarantined_with_line_and_reason(data_dir: Path) -> None:
    (data_dir / "things.csv").write_text(
        HEADER
        + GOOD
        + "THG000002,Bo,1980-02-30,red,1,,[],,1,,me,2\n"  # no 30 February
        + "THG000003,Cy,1990-01-01,purple,1,,[],,1,,me,3\n"  # not a colour
        + "THG000004,Di,1990-01-01,red,lots,,[],,1,,me,4\n"  # not a number
        + "THG000005,Ed,1990-01-01,red\n"  # fields missing
        + "THG000006,Flo,1990-01-01,blue,2,,[],,,,,\n",  # added by hand: no engine columns
        encoding="utf-8",
    )
    store = Store(data_dir)
    table = store.table(THINGS)
    assert sorted(table.ids()) == ["THG000001", "THG000006"]
    problems = {q.line: q for q in store.quarantine}
    assert set(problems) == {3, 4, 5, 6}
    assert "born" in problems[3].reason and "1980-02-30" in problems[3].reason
    assert "colour" in problems[4].reason and "purple" in problems[4].reason
    assert "score" in problems[5].reason
    assert "fields" in problems[6].reason
    assert str(problems[3]).startswith("things.csv:3: ")
    # Quarantined IDs are never handed out again.
    assert table.insert(Thing(name="New", born=date(2000, 1, 1))).id == "THG000007"
    store.close()
    kept = (data_dir / "quarantine" / "things.csv").read_text(encoding="utf-8-sig")
    assert "THG000002,Bo,1980-02-30" in kept and "purple" in kept


def test_quarantine_is_not_duplicated_on_every_start(data_dir: Path) -> None:
    (data_dir / "things.csv").write_text(HEADER + GOOD + "THG000002,Bo,1980-02-30,red,1,,[],,1,,me,2\n",
                                         encoding="utf-8")
    for _ in range(3):
        store = Store(data_dir, read_only=False)
        store.table(THINGS)
        assert len(store.quarantine) == 1
        store.close()


def test_torn_last_journal_line_is_quarantined_and_appends_continue(data_dir: Path) -> None:
    store = Store(data_dir)
    table = store.table(THINGS)
    table.insert(Thing(name="Ann", born=date(1980, 5, 17)))
    table.insert(Thing(name="Bo", born=date(1980, 5, 17)))
    journal = table.journal_path
    store.abandon()  # simulate the process dying here
    data = journal.read_bytes()
    journal.write_bytes(data[:-9])  # the last write was cut short
    store = Store(data_dir)
    table = store.table(THINGS)
    assert table.ids() == ["THG000001"]
    assert [q.reason for q in store.quarantine] == ["incomplete last line (interrupted write)"]
    table.insert(Thing(name="Cy", born=date(1980, 5, 17)))
    store.close()
    store = Store(data_dir)
    names = [t.name for t in store.table(THINGS).all()]
    assert names == ["Ann", "Cy"]
    store.close()


def test_edited_journal_line_fails_its_checksum(data_dir: Path) -> None:
    store = Store(data_dir)
    table = store.table(THINGS)
    table.insert(Thing(name="Ann", born=date(1980, 5, 17)))
    journal = table.journal_path
    store.abandon()
    journal.write_text(journal.read_text(encoding="utf-8-sig").replace("Ann", "Eve"), encoding="utf-8")
    store = Store(data_dir)
    assert len(store.table(THINGS)) == 0
    assert "checksum" in store.quarantine[0].reason
    store.close()


def test_table_saved_by_a_spreadsheet_opens_and_bad_rows_are_quarantined(data_dir: Path) -> None:
    """BOM, CRLF, a bad date, an extra column and a truncated last line, all in one file."""
    lines = [
        HEADER.strip(),
        GOOD.strip(),
        "THG000002,Bo,31/12/1980,red,1,,[],,1,,me,2",  # a spreadsheet's local date
        "THG000003,Cy,1990-01-01,blue,1,,[],,1,,me,3,surplus",  # an extra column
        'THG000004,"Di, the second",1990-01-01,blue,1,,[],"a note\r\nover two lines",1,,me,4',
        "THG000005,Ed,1990-01-01,re",  # truncated: the file ends mid-row
    ]
    (data_dir / "things.csv").write_bytes(("\ufeff" + "\r\n".join(lines)).encode("utf-8"))
    store = Store(data_dir)
    table = store.table(THINGS)
    assert table.ids() == ["THG000001", "THG000004"]
    assert table.get("THG000004").note == "a note\r\nover two lines"  # type: ignore[union-attr]
    reasons = {q.line: q.reason for q in store.quarantine}
    assert set(reasons) == {3, 4, 7}
    assert "31/12/1980" in reasons[3]
    assert "13 fields" in reasons[4] and "4 fields" in reasons[7]
    store.close()


def test_killed_while_creating_the_journal_is_not_a_problem(data_dir: Path) -> None:
    """The crash test found this: a kill between creating the journal and writing its header."""
    store = Store(data_dir)
    store.table(THINGS).insert(Thing(name="Ann", born=date(1980, 5, 17)))
    store.close()  # checkpoint: no journal left
    (data_dir / "things.journal.csv").write_bytes("\ufeffop,crc,i".encode())  # torn header
    store = Store(data_dir)
    table = store.table(THINGS)
    assert store.quarantine == [] and [t.name for t in table.all()] == ["Ann"]
    table.insert(Thing(name="Bo", born=date(1980, 5, 17)))
    store.abandon()  # die without a checkpoint
    store = Store(data_dir)
    assert [t.name for t in store.table(THINGS).all()] == ["Ann", "Bo"] and store.quarantine == []
    store.close()
