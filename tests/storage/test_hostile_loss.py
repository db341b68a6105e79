"""Critical: nothing acknowledged is lost, a lost file is noticed, and no ID is issued twice.

Every case starts from a real demo folder, breaks its files as a clinic did (a long note,
an emptied or deleted file, a folder from before the fix) and asserts what the user sees:
the read-only notice, the rows, the ``check`` exit code and text, and Repair's record.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from hms_desktop.domain.patient import Patient
from hms_desktop.storage import Store
from hms_desktop.storage.csvfile import format_line, read_records
from hms_desktop.storage.journal import crc
from hms_desktop.storage.patients import PATIENTS
from hms_desktop.storage.registry import all_tables

from .hostile import DEMO_PATIENTS, check, crash, manifest, opened, repair
from .models import THINGS, Thing

LONG_HISTORY = ("Hypertension since 2004, on ramipril 5 mg; \"brittle\" asthma, see letters,\n" * 2800)[:200_000]


def patient(given: str, **extra: object) -> Patient:
    return Patient(given_name=given, family_name="Okafor", date_of_birth=date(1961, 3, 4), **extra)  # type: ignore[arg-type]


def highest_patient_number(folder: Path) -> int:
    """Every PAT number in any file of the folder (what must never be issued again)."""
    numbers = [0]
    for path in folder.rglob("*.csv"):
        numbers += [int(n) for n in re.findall(rb"PAT(\d{6,})", path.read_bytes())]
    return max(numbers)


@pytest.mark.slow
def test_a_200_kb_history_is_kept_after_a_crash_and_a_close_and_its_id_is_never_reissued(demo: Path) -> None:
    with opened(demo) as session:
        long_one = session.services.patients.register(patient("Ngozi", medical_history=LONG_HISTORY))
        crash(session)
    with opened(demo) as session:
        assert session.services.patients.get(long_one.id).medical_history == LONG_HISTORY
        assert session.store.quarantine == []
        assert session.services.patients.register(patient("Chidi")).id != long_one.id
    with opened(demo) as session:  # after the checkpoint written at close
        table = session.store.table(PATIENTS)
        assert table.get(long_one.id).medical_history == LONG_HISTORY
        assert table.history(long_one.id)[0].record.medical_history == LONG_HISTORY
    code, text = check(demo)
    assert code == 0, text
    assert f"patients: {DEMO_PATIENTS + 2} row(s)" in text


def test_any_cell_of_a_megabyte_and_more_round_trips_journal_checkpoint_and_history(data_dir: Path) -> None:
    note = ('=1 MB, "quoted", with commas,\r\nCRLF and\nnewlines ' * 40_000)[:1_500_000]
    store = Store(data_dir)
    saved = store.table(THINGS).insert_many([Thing(name="big", born=date(2000, 1, 1), note=note),
                                             Thing(name="small", born=date(2000, 1, 1))])
    store.abandon()  # killed: only the journal has it
    for _ in range(2):  # replayed from the journal, then from the checkpoint
        store = Store(data_dir)
        table = store.table(THINGS)
        assert table.get(saved[0].id).note == note and store.quarantine == []
        store.close()
    store = Store(data_dir)
    assert store.table(THINGS).history(saved[0].id)[0].record.note == note
    store.close()


def _legacy(folder: Path) -> None:
    """Make the manifest what a folder written before per-table state looked like."""
    data = manifest(folder)
    data["format"] = 1
    data["tables"] = {name: entry["schema_version"] for name, entry in data["tables"].items()}
    data.pop("audit_chain", None)
    (folder / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    shutil.rmtree(folder / "audit", ignore_errors=True)  # the audit chain came later still


def _journal_insert(folder: Path, record: Patient, seq: int) -> str:
    """One journal line as the old engine appended it for ``record``."""
    header, _ = read_records(folder / "patients.journal.csv")
    columns = header[2:]
    values = {**record.model_dump(mode="json"), "version": "1", "updated_at": "2026-11-30T10:00:00+00:00",
              "updated_by": "reception", "seq": str(seq)}
    cells = [v if isinstance(v, str) else json.dumps(v) if isinstance(v, list) else "" if v is None else str(v)
             for v in (values.get(c, "") for c in columns)]
    cells = ["'" + c if c[:1] and c[:1] in "=+-@'" else c for c in cells]
    return format_line(["insert", crc(cells), *cells], [False] * (len(cells) + 2))


def _folder_where_an_id_was_issued_twice(demo: Path) -> tuple[str, str]:
    """Before the fix: a long history could not be read back, so its ID went to the next person."""
    with opened(demo) as session:
        lost = session.services.patients.register(patient("Ngozi", medical_history=LONG_HISTORY))
        crash(session)
    journal = demo / "patients.journal.csv"
    last_seq = int(read_records(journal)[1][-1].cells[-1])
    reissued = patient("Emeka", id=lost.id, phone="")
    with open(journal, "a", encoding="utf-8", newline="") as handle:
        handle.write(_journal_insert(demo, reissued, last_seq))  # same ID, same seq: as the old engine did
    _legacy(demo)
    return lost.id, "Emeka"


@pytest.mark.slow
def test_an_id_issued_twice_before_the_fix_is_reported_on_first_open_and_both_records_are_kept(demo: Path) -> None:
    record_id, later_name = _folder_where_an_id_was_issued_twice(demo)
    code, text = check(demo)  # read-only: reports, restores nothing
    assert code == 1
    assert f"ID {record_id} was given to two records" in text and "not restored yet" in text
    with opened(demo) as session:
        assert not session.read_only
        table = session.store.table(PATIENTS)
        assert table.get(record_id).given_name == later_name  # the one the clinic has been using
        restored = [p for p in table.all() if p.medical_history == LONG_HISTORY]
        assert len(restored) == 1 and restored[0].id != record_id and restored[0].given_name == "Ngozi"
        [collision] = session.store.collisions()
        assert f"ID {record_id} was given to two records" in collision and restored[0].id in collision
    code, text = check(demo)
    assert code == 1 and f"restored as {restored[0].id}" in text
    code, text = repair(demo)
    assert code == 0 and "mark as checked: " in text
    assert check(demo)[0] == 0
    [entry] = manifest(demo)["collisions"]
    assert entry["id"] == record_id and entry["restored_as"] == restored[0].id
    assert entry["resolved_by"] == "admin"


def test_an_id_issued_twice_is_found_in_rotated_history_too(demo: Path) -> None:
    record_id, later_name = _folder_where_an_id_was_issued_twice(demo)
    # The old engine then closed: checkpoint without the lost record, journal into history/.
    journal = demo / "patients.journal.csv"
    header, records = read_records(journal)
    table_header, _ = read_records(demo / "patients.csv")
    later = dict(zip(header, records[-1].cells, strict=True))
    with open(demo / "patients.csv", "a", encoding="utf-8", newline="") as handle:
        handle.write(format_line([later[c] for c in table_header], [False] * len(table_header)))
    journal.rename(demo / "history" / f"patients.{int(later['seq']):012d}.journal.csv")
    with opened(demo) as session:
        table = session.store.table(PATIENTS)
        assert table.get(record_id).given_name == later_name
        assert [p.given_name for p in table.all() if p.medical_history == LONG_HISTORY] == ["Ngozi"]
        assert len(session.store.collisions()) == 1


LOSSES = {
    "patients.csv emptied": lambda d: (d / "patients.csv").write_bytes(b""),
    "patients.csv deleted": lambda d: (d / "patients.csv").unlink(),
    "patients.csv cut mid-row": lambda d: (d / "patients.csv").write_bytes(
        (d / "patients.csv").read_bytes()[:-40]),
    "journal deleted": lambda d: (d / "patients.journal.csv").unlink(),
    "history file deleted": lambda d: next((d / "history").glob("patients.*")).unlink(),
    "history file cut": lambda d: (lambda h: h.write_bytes(h.read_bytes()[:-1]))(next((d / "history").glob("patients.*"))),
    "manifest deleted": lambda d: (d / "manifest.json").unlink(),
    "manifest emptied": lambda d: (d / "manifest.json").write_bytes(b""),
    "manifest tables is a list": lambda d: (d / "manifest.json").write_text('{"format": 2, "tables": []}'),
    "manifest table is a string": lambda d: (d / "manifest.json").write_text(
        '{"format": 2, "tables": {"patients": "1"}}'),
    "manifest not JSON": lambda d: (d / "manifest.json").write_text('{"format": 2, "tables": {'),
}


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.slow
def test_a_lost_or_cut_file_opens_read_only_is_named_by_check_and_repair_never_reissues_an_id(
        demo: Path, loss: str) -> None:
    with opened(demo) as session:  # acknowledged, but only in the journal (then a crash)
        ids = [p.id for p in session.services.patients.register_many(
            [patient(f"Ada {n}", phone="") for n in range(3)])]
        crash(session)
    issued = max(int(i[3:]) for i in ids)
    LOSSES[loss](demo)
    named = "manifest.json" if "manifest" in loss else "journal" if "journal" in loss else \
        "history/" if "history" in loss else "patients.csv"
    with opened(demo) as session:
        assert session.read_only
        assert named in session.store.read_only_reason and "Repair" in session.store.read_only_reason
        with pytest.raises(Exception, match="Repair"):
            session.services.patients.register(patient("Not saved"))
    code, text = check(demo)
    assert code == 1 and named in text, text
    assert "Traceback" not in text
    code, text = repair(demo, "--discard-unloadable")  # a row cut in half cannot be kept
    assert code == 0, text
    assert "repaired by admin" in text
    copies = list((demo / "repair").iterdir())
    assert len(copies) == 1 and "admin" in (copies[0] / "repair.txt").read_text()
    with opened(demo) as session:
        assert not session.read_only
        new = session.services.patients.register(patient("After repair", phone=""))
    assert int(new.id[3:]) > max(issued, highest_patient_number(copies[0]))
    code, text = check(demo)
    assert code == 0, text
    assert manifest(demo)["repairs"][-1]["by"] == "admin"


def test_every_known_table_is_in_the_manifest_after_the_demo(demo: Path) -> None:
    recorded = manifest(demo)["tables"]
    for spec in all_tables():
        assert isinstance(recorded[spec.name], dict), spec.name
    assert recorded["patients"]["rows"] == DEMO_PATIENTS
    assert recorded["patients"]["files"]["patients.csv"]["size"] == (demo / "patients.csv").stat().st_size
