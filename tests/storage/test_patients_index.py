"""Search-as-you-type and duplicate blocking over the patient index."""

from __future__ import annotations

import random
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hms_desktop.domain.duplicates import Identity, rank
from hms_desktop.domain.patient import Patient, PatientStatus
from hms_desktop.services.demo.patients import fake_patients
from hms_desktop.storage.patient_index import INDEX_COLUMNS, PatientIndex, parse_query


def make(pid: str, given: str, family: str, dob: str, phone: str = "", **kw: object) -> Patient:
    return Patient(id=pid, given_name=given, family_name=family,
                   date_of_birth=date.fromisoformat(dob), phone=phone, **kw)


def index_of(patients: list[Patient]) -> PatientIndex:
    index = PatientIndex({c: [] for c in INDEX_COLUMNS})
    for p in patients:
        index.upsert(p)
    return index


@pytest.fixture
def index() -> PatientIndex:
    return index_of([
        make("PAT000001", "Zoë", "Núñez", "1984-03-07", "+447911123456"),
        make("PAT000002", "Zoe", "Nunn", "1990-12-01", "+447400555111"),
        make("PAT000003", "Seán", "O'Brien-Smith", "1984-07-03", "+33612345678"),
        make("PAT000004", "Ana", "Zoellner", "2001-03-07", ""),
        make("PAT000005", "Old", "Núñez", "1930-01-01", "", status=PatientStatus.DECEASED,
             deceased_on=date(2020, 1, 1)),
    ])


def ids(index: PatientIndex, text: str, **kw: bool) -> list[str]:
    return [index.cols["id"][int(r)] for r in index.search(text, **kw)]


def test_names_match_accent_and_case_free_prefix_of_any_word_in_any_order(index: PatientIndex) -> None:
    assert ids(index, "zoe") == ["PAT000001", "PAT000002", "PAT000004"]  # Zoellner too
    assert ids(index, "NUÑE zo") == ["PAT000001"]
    assert ids(index, "nunez zoë") == ["PAT000001"]
    assert ids(index, "smith sean") == ["PAT000003"]
    assert ids(index, "obri") == ["PAT000003"]  # people type "obrien" for "O'Brien"
    assert ids(index, "o'brien") == ["PAT000003"] == ids(index, "o brien")
    assert ids(index, "brien") == ["PAT000003"]
    assert ids(index, "zoex") == []


def test_partial_phone_digits_match_national_and_international_forms(index: PatientIndex) -> None:
    assert ids(index, "07911 123") == ["PAT000001"]
    assert ids(index, "+44 7911-123-456") == ["PAT000001"]
    assert ids(index, "555111") == ["PAT000002"]
    assert ids(index, "612 345") == ["PAT000003"]


def test_dates_ids_and_hidden_statuses(index: PatientIndex) -> None:
    assert ids(index, "1984-03-07") == ["PAT000001"]
    assert ids(index, "07/03/1984") == ["PAT000001"]
    assert ids(index, "07/03") == ["PAT000001", "PAT000004"]
    assert ids(index, "1984") == ["PAT000001", "PAT000003"]
    assert ids(index, "pat00000") == ["PAT000001", "PAT000002", "PAT000003", "PAT000004"]
    assert "PAT000004" in ids(index, "4")  # a bare ID number (patient 4 has no phone)
    assert ids(index, "nunez") == ["PAT000001"]
    assert ids(index, "nunez", include_hidden=True) == ["PAT000001", "PAT000005"]


def test_update_moves_the_row_between_results(index: PatientIndex) -> None:
    index.upsert(make("PAT000002", "Zoe", "Okafor", "1990-12-01", "+447400555111"))
    assert ids(index, "nunn") == []
    assert ids(index, "okafor") == ["PAT000002"]
    assert len(index) == 5


def test_ids_keep_working_past_a_million() -> None:
    index = index_of([make("PAT999999", "A", "B", "1990-01-01"), make("PAT1000000", "C", "D", "1990-01-01")])
    assert ids(index, "PAT1000000") == ["PAT1000000"]
    assert ids(index, "1000000") == ["PAT1000000"]
    assert index.row_of("PAT1000000") == 1


def test_query_parsing() -> None:
    kinds = [(t.kind, t.text) for t in parse_query("Smith 07911 123 1984-3-7 PAT12")]
    assert kinds == [("date", "1984-03-07"), ("name", "smith"), ("digits", "07911123"), ("id", "PAT12")]


def test_duplicate_blocking_finds_variants_in_a_large_population() -> None:
    rng = random.Random(3)
    people = fake_patients(rng, 5000, date(2026, 11, 25))
    index = index_of([p.model_copy(update={"id": f"PAT{i + 1:06d}"}) for i, p in enumerate(people)])
    target = people[1234]
    dob = target.date_of_birth
    probe = Identity(target.family_name, target.given_name + "x", dob.replace(year=dob.year + 1))
    found = index.duplicates(probe)
    assert found and found[0].id == "PAT001235"
    assert "PAT001235" not in {m.id for m in index.duplicates(probe, exclude="PAT001235")}


NAME_LETTERS = "abcdefghijklmnopqrstuvwxyzéèëñçøłıüöåäßÉÑŁ'-"


@settings(max_examples=60, deadline=None)
@given(given_name=st.text(NAME_LETTERS, min_size=1, max_size=12),
       family=st.text(NAME_LETTERS, min_size=1, max_size=14), cut=st.integers(1, 4))
def test_any_prefix_of_any_name_word_finds_the_patient(given_name: str, family: str, cut: int) -> None:
    """Whatever the accents and case, typing the start of any word, in any case, finds them."""
    from hms_desktop.domain.patient import name_words

    words = name_words(f"{given_name} {family}")
    if not words or not given_name.strip(" '-") or not family.strip(" '-"):
        return
    index = index_of([make("PAT000001", given_name, family, "1980-01-01"),
                      make("PAT000002", "Other", "Person", "1981-01-01")])
    for word in words:
        typed = word[:cut].upper()
        assert "PAT000001" in ids(index, typed), (typed, words)
    assert "PAT000001" in ids(index, " ".join(reversed(words)))  # any word order


def test_blocking_keeps_recall_and_precision_on_a_population_of_5000() -> None:
    """The index only scores candidates sharing a key: it must not lose what the scorer finds."""
    from tests.domain.test_patients_duplicates import variant

    rng = random.Random(17)
    people = fake_patients(rng, 5000, date(2026, 11, 25))
    index = index_of([p.model_copy(update={"id": f"PAT{i + 1:06d}"}) for i, p in enumerate(people)])
    found = false_alarms = 0
    sample = rng.sample(range(len(index)), 200)
    for position in sample:
        source = index.cols["id"][position]
        matches = index.duplicates(variant(rng, index.identity(position)))
        found += any(m.id == source for m in matches)
        false_alarms += sum(m.id != source for m in matches)
    recall, precision = found / len(sample), found / max(1, found + false_alarms)
    print(f"indexed duplicate detection: recall {recall:.3f}, precision {precision:.3f}")
    assert recall >= 0.9 and precision >= 0.8


def test_a_batch_upsert_finds_the_same_as_one_by_one() -> None:
    people = [p.model_copy(update={"id": f"PAT{i + 1:06d}"})
              for i, p in enumerate(fake_patients(random.Random(8), 400, date(2026, 11, 25)))]
    one_by_one = index_of(people)
    batched = PatientIndex({c: [] for c in INDEX_COLUMNS})
    batched.upsert_many(people[:100])
    batched.upsert_many(people[100:])  # a batch large enough to take the re-sort path
    edited = people[5].model_copy(update={"family_name": "Zanzibar"})
    for index in (one_by_one, batched):
        index.upsert_many([edited])
    for query in ("a", "zanz", "mar", "1984", "07400 1", "PAT0001", "3", ""):
        assert list(batched.search(query)) == list(one_by_one.search(query)), query
    assert list(batched.search("zanz")) == [5]


def columns_of(people: list[Patient]) -> dict[str, list[str]]:
    """What ``build_index`` reads from the table: raw cells per index column."""
    return {c: [p.id if c == "id" else p.date_of_birth.isoformat() if c == "date_of_birth"
                else str(getattr(p, c).value if c == "status" else getattr(p, c)) for p in people]
            for c in INDEX_COLUMNS}


def test_an_index_built_from_columns_answers_as_one_built_patient_by_patient() -> None:
    """The bulk build (what opening a folder does: distinct keys ranked, rows as C ints,
    one-row blocking keys as ints) finds what upserting each patient finds and what a fresh
    build finds after edits; a duplicate check with a birth date finds what scoring every
    patient finds."""
    rng = random.Random(21)
    people = [p.model_copy(update={"id": f"PAT{n:06d}"}) for n, p in zip(
        rng.sample(range(1, 9999), 600), fake_patients(rng, 600, date(2026, 11, 25)), strict=True)]  # IDs out of order
    people += [people[3].model_copy(update={"id": "PAT099998"}), people[3].model_copy(update={"id": "PAT099999"})]
    bulk, one_by_one = PatientIndex(columns_of(people)), index_of(people)
    edits = [people[3].model_copy(update={"family_name": "Quayle", "phone": people[9].phone}),
             people[4].model_copy(update={"date_of_birth": people[8].date_of_birth,  # now a duplicate of 8
                                          "given_name": people[8].given_name, "family_name": people[8].family_name}),
             people[10].model_copy(update={"id": "PAT100000", "given_name": "Nadia"})]
    for step in range(2):
        fresh = PatientIndex(columns_of(people))
        for query in ("a", "ma", "quay", "nad", "19", "1984", "03-07", "07700", "PAT00", "PAT0999", ""):
            expected = list(fresh.search(query))
            assert list(bulk.search(query)) == expected == list(one_by_one.search(query)), (step, query)
        everyone = [fresh.identity(row) for row in range(len(people))]
        for position in [3, 4, 8, 9, 10, len(people) - 1, *rng.sample(range(len(people)), 40)]:
            probe = fresh.identity(position)
            assert bulk.duplicates(probe) == rank(probe, everyone, limit=10) == one_by_one.duplicates(probe)
            half = Identity(probe.given, probe.family, None, probe.phone)  # no birth date: blocked by phone, sound
            assert bulk.duplicates(half) == fresh.duplicates(half) == one_by_one.duplicates(half), (step, position)
            name_only = Identity(probe.given, probe.family)  # found by the sound of the name alone
            assert probe.id in [m.id for m in bulk.duplicates(name_only, limit=len(people))], (step, position)
        for index in (bulk, one_by_one):
            index.upsert_many(edits)
        people = [*people, edits[2]]
        people[3], people[4] = edits[0], edits[1]
