"""PatientService on a real data folder: register, edit, status, merge, history, search, recent."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pydantic import BaseModel

from hms_desktop.domain.patient import Patient, PatientStatus
from hms_desktop.services.bus import Change, EventBus
from hms_desktop.services.patients import PatientService, PossibleDuplicateError
from hms_desktop.storage import Store, TableSpec


class Note(BaseModel):
    id: str = ""
    patient_id: str
    text: str


NOTES = TableSpec(name="test_notes", model=Note, id_prefix="NTE")


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    store = Store(data_dir, actor="nurse.kim")
    yield store
    store.close()


@pytest.fixture
def changes() -> list[Change]:
    return []


@pytest.fixture
def service(store: Store, changes: list[Change]) -> PatientService:
    bus = EventBus()
    bus.subscribe(changes.append)
    return PatientService(store, bus)


def person(given: str = "Zoë", family: str = "Núñez", dob: date = date(1984, 3, 7),
           phone: str = "+447911123456", **kw: object) -> Patient:
    return Patient(given_name=given, family_name=family, date_of_birth=dob, phone=phone, **kw)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:  # the engine writes a BOM for spreadsheets
        return list(csv.DictReader(f))


def test_register_assigns_ids_saves_to_csv_and_announces(
        service: PatientService, store: Store, data_dir: Path, changes: list[Change]) -> None:
    first = service.register(person())
    second = service.register(person("Mehmet", "Yılmaz", date(1960, 1, 2), "+447400123456"))
    assert (first.id, second.id) == ("PAT000001", "PAT000002")
    assert changes[0] == Change("patients", ("PAT000001",), "insert")
    store.checkpoint()
    saved = rows(data_dir / "patients.csv")
    assert [(r["id"], r["given_name"], r["date_of_birth"]) for r in saved] == [
        ("PAT000001", "Zoë", "1984-03-07"), ("PAT000002", "Mehmet", "1960-01-02")]
    assert service.display_name("PAT000002") == "Mehmet Yılmaz"


def test_ids_are_never_reused_after_restart(data_dir: Path) -> None:
    store = Store(data_dir)
    PatientService(store, EventBus()).register(person())
    store.close()
    store = Store(data_dir)
    try:
        again = PatientService(store, EventBus()).register(person("Ana", "Peña", date(1999, 9, 9), ""))
        assert again.id == "PAT000002"
        assert PatientService(store, EventBus()).search("pena") == ["PAT000002"]
    finally:
        store.close()


def test_likely_duplicate_is_refused_until_confirmed_and_the_confirmation_is_kept(
        service: PatientService) -> None:
    service.register(person())
    with pytest.raises(PossibleDuplicateError) as caught:
        service.register(person("Zoe", "Nunez", date(1984, 7, 3), ""))
    assert [m.id for m in caught.value.matches] == ["PAT000001"]
    assert len(service.table) == 1  # nothing saved
    saved = service.register(person("Zoe", "Nunez", date(1984, 7, 3), "",
                                    confirmed_not_duplicate_of=["PAT000001"]))
    assert service.get(saved.id).confirmed_not_duplicate_of == ["PAT000001"]


def test_invalid_phone_is_refused_with_the_field_named(service: PatientService) -> None:
    with pytest.raises(ValueError, match="^phone: "):
        service.register(person(phone="+4410000000"))
    assert len(service.table) == 0


def test_edits_are_versions_with_who_when_and_what(service: PatientService) -> None:
    pid = service.register(person()).id
    service.update(pid, {"family_name": "Núñez-García", "email": "zoe@example.com"})
    history = service.history(pid)
    assert [h.version for h in history] == [1, 2]
    assert history[1].by == "nurse.kim" and history[1].at is not None
    assert {(c.field, c.old, c.new) for c in history[1].changes} == {
        ("family_name", "Núñez", "Núñez-García"), ("email", "", "zoe@example.com")}
    assert service.search("garcia") == [pid]
    with pytest.raises(ValueError, match="status"):
        service.update(pid, {"status": "inactive"})


def test_status_hides_from_search_but_never_deletes(service: PatientService) -> None:
    pid = service.register(person()).id
    service.set_status(pid, PatientStatus.DECEASED, deceased_on=date(2026, 1, 5))
    assert service.search("zoe") == []
    assert service.search("zoe", include_hidden=True) == [pid]
    assert service.get(pid).deceased_on == date(2026, 1, 5)
    with pytest.raises(ValueError):
        service.set_status(pid, PatientStatus.DECEASED)  # date required


def test_merge_moves_references_keeps_both_and_is_recorded(
        service: PatientService, store: Store, changes: list[Change]) -> None:
    notes = store.table(NOTES)
    keep = service.register(person(medical_history="Asthma.")).id
    gone = service.register(person("Zoe", "Nunez", date(1984, 3, 7), "+447400999888",
                                   email="zn@example.com", medical_history="Penicillin allergy.",
                                   confirmed_not_duplicate_of=[keep])).id
    notes.insert_many([Note(patient_id=gone, text="a"), Note(patient_id=gone, text="b"),
                       Note(patient_id=keep, text="c")])
    preview = service.merge_preview(keep, gone)
    assert preview.references == {"test_notes": 2}
    assert ("email", "", "zn@example.com") in {(c.field, c.old, c.new) for c in preview.changes}
    assert len(notes.where("patient_id", gone)) == 2  # the preview changed nothing

    survivor = service.merge(keep, gone)
    assert survivor.email == "zn@example.com" and survivor.phone == "+447911123456"
    assert "Penicillin allergy." in survivor.medical_history and survivor.merged_from == [gone]
    assert len(notes.where("patient_id", keep)) == 3 and notes.where("patient_id", gone) == []
    merged = service.get(gone)
    assert merged.status is PatientStatus.MERGED and merged.merged_into == keep
    assert service.resolve(gone) == keep
    assert service.search("nunez", include_hidden=False) == [keep]
    assert "merged_from" in {c.field for c in service.history(keep)[-1].changes}
    assert Change("patients", (keep, gone), "merge") in changes
    # A second merge of the same pair finishes nothing twice.
    assert service.merge(keep, gone).merged_from == [gone]
    with pytest.raises(ValueError, match="already merged"):
        service.merge(service.register(person("Ana", "Peña", date(1999, 9, 9), "")).id, gone)


def test_recent_puts_opened_patients_first_on_empty_search(service: PatientService) -> None:
    ids = [p.id for p in service.register_many(
        [person(f"P{i}", "Test", date(1990, 1, i + 1), "") for i in range(5)])]
    service.note_opened(ids[3])
    service.note_opened(ids[1])
    assert service.recent() == [ids[1], ids[3]]
    assert service.search("", limit=4) == [ids[1], ids[3], ids[0], ids[2]]
