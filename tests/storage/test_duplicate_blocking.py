"""The index's duplicate check finds exactly what scoring every stored patient would.

Blocking (date-of-birth slips) and the name pre-filter are only allowed to save time: the
oracle here is ``rank`` over the whole population, the slow way.
"""

from __future__ import annotations

import random
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hms_desktop.domain.duplicates import Identity, rank
from hms_desktop.domain.patient import Patient, PatientStatus
from hms_desktop.services.demo.patients import fake_patients
from hms_desktop.storage.patient_index import INDEX_COLUMNS, PatientIndex, PrefixIndex
from tests.domain.test_patients_duplicates import variant


def population(seed: int, n: int) -> list[Patient]:
    people = [p.model_copy(update={"id": f"PAT{i + 1:06d}"})
              for i, p in enumerate(fake_patients(random.Random(seed), n, date(2026, 11, 25)))]
    # Hard cases next to each other: namesakes born a slip apart, twins sharing a phone.
    for k in range(0, n // 10):
        src = people[k * 7 % n]
        people.append(src.model_copy(update={
            "id": f"PAT{len(people) + 1:06d}", "given_name": src.given_name + "a",
            "date_of_birth": src.date_of_birth.replace(year=src.date_of_birth.year + 1)}))
    return people


def brute_force(people: list[Patient], probe: Identity, exclude: str = "") -> list[tuple[str, float]]:
    everyone = [Identity(p.given_name, p.family_name, p.date_of_birth, p.phone, id=p.id)
                for p in people if p.status is not PatientStatus.MERGED and p.id != exclude]
    return [(m.id, m.score) for m in rank(probe, everyone)]


@pytest.mark.slow
def test_registration_checks_find_what_scoring_everyone_finds() -> None:
    people = population(31, 1500)
    index = PatientIndex({c: [] for c in INDEX_COLUMNS})
    index.upsert_many(people[:1000])
    for p in people[1000:]:  # one at a time too, the registration path
        index.upsert(p)
    merged = people[3].model_copy(update={"status": PatientStatus.MERGED, "merged_into": people[4].id})
    index.upsert(merged)
    people[3] = merged
    rng = random.Random(2)
    probes = [variant(rng, index.identity(rng.randrange(len(people)))) for _ in range(120)]
    probes += [Identity(p.given_name, p.family_name, p.date_of_birth, p.phone)
               for p in fake_patients(rng, 40, date(2026, 11, 25))]  # strangers
    probes.append(index.identity(3))  # the merged record itself: never offered
    found_any = 0
    for probe in probes:
        expected = brute_force(people, probe)
        assert [(m.id, m.score) for m in index.duplicates(probe)] == expected, probe
        found_any += bool(expected)
    assert found_any > 100  # the comparison is about real matches, not empty lists
    excluded = index.identity(10)
    assert [(m.id, m.score) for m in index.duplicates(excluded, exclude=excluded.id)] == \
        brute_force(people, excluded, exclude=excluded.id)


NAME = st.text("abcdeéilmnorsštuyz'- ", min_size=1, max_size=10).filter(lambda s: s.strip(" '-"))


@settings(max_examples=80, deadline=None)
@given(given_name=NAME, family=NAME, year=st.integers(1990, 1991), month=st.integers(1, 12),
       day=st.integers(1, 28), phone=st.sampled_from(["", "+447911123456", "+447400555111"]),
       probe_given=NAME, probe_family=NAME, probe_day=st.integers(1, 28),
       probe_phone=st.sampled_from(["", "+447911123456"]))
def test_any_pair_the_scorer_calls_likely_is_found(
        given_name: str, family: str, year: int, month: int, day: int, phone: str,
        probe_given: str, probe_family: str, probe_day: int, probe_phone: str) -> None:
    """Odd names (accents, apostrophes, one letter) and near dates: blocking loses nothing."""
    known = Patient(id="PAT000001", given_name=given_name, family_name=family,
                    date_of_birth=date(year, month, day), phone=phone)
    other = Patient(id="PAT000002", given_name=family, family_name=given_name,
                    date_of_birth=date(1990, 1, probe_day), phone=probe_phone)
    index = PatientIndex({c: [] for c in INDEX_COLUMNS})
    index.upsert_many([known, other])
    for probe_dob in (date(1990, month, probe_day), date(1990, probe_day % 12 + 1, month), None):
        probe = Identity(probe_given, probe_family, probe_dob, probe_phone)
        if probe_dob is None:  # half-filled form: blocks on phone and name sound instead
            assert {m.id for m in index.duplicates(probe)} <= {m[0] for m in brute_force([known, other], probe)}
            continue
        assert [(m.id, m.score) for m in index.duplicates(probe)] == brute_force([known, other], probe)


def test_prefix_index_answers_like_a_scan_across_many_single_additions() -> None:
    """Additions one at a time (kept aside, then folded in every so often) and removals."""
    rng = random.Random(4)
    words = ["".join(rng.choice("abcz") for _ in range(rng.randint(1, 5))) for _ in range(400)]
    index = PrefixIndex((w, i) for i, w in enumerate(words[:200]))
    pairs = {(w, i) for i, w in enumerate(words[:200])}
    for step in range(3000):
        if step % 5 == 4 and pairs:
            key, row = rng.choice(sorted(pairs))
            index.remove(key, row)
            pairs.discard((key, row))
        else:
            key, row = rng.choice(words), 1000 + step
            index.add(key, row)
            pairs.add((key, row))
        if step % 97 == 0 or step == 2999:
            for prefix in ("", "a", "ab", "zz", "c", "abcz", "q"):
                assert sorted(index.prefix(prefix)) == sorted(r for k, r in pairs if k.startswith(prefix))


@pytest.mark.slow
def test_names_near_the_likely_line_are_judged_like_scoring_everyone() -> None:
    """Same birthday, vowels of the names changed 3-12 times (so they still sound
    alike): scores fall on both sides of LIKELY, which is where a pre-filter that is a
    little too strict would start losing people."""
    rng = random.Random(12)
    letters = "aeioubdlmnrst"
    people = []
    for i in range(400):
        given_name = "".join(rng.choice(letters) for _ in range(rng.randint(3, 8)))
        family = "".join(rng.choice(letters) for _ in range(rng.randint(3, 9)))
        people.append(Patient(id=f"PAT{i + 1:06d}", given_name=given_name.title(), family_name=family.title(),
                              date_of_birth=date(1970, 5, 1 + i % 3),
                              phone=rng.choice(["", "+447911123456"])))
    index = PatientIndex({c: [] for c in INDEX_COLUMNS})
    index.upsert_many(people)
    likely = unlikely = 0
    for _ in range(150):
        source = rng.choice(people)
        words = [source.given_name, source.family_name]
        for _ in range(rng.randint(3, 12)):
            w = rng.randrange(2)
            vowels = [i for i, ch in enumerate(words[w]) if ch in "aeiou" and i > 0]
            if vowels:
                at = rng.choice(vowels)
                words[w] = words[w][:at] + rng.choice("aeiou") + words[w][at + 1:]
        probe = Identity(words[0], words[1], source.date_of_birth, rng.choice(["", source.phone]))
        expected = brute_force(people, probe)
        assert [(m.id, m.score) for m in index.duplicates(probe)] == expected, probe
        scores = dict(expected)
        likely += source.id in scores
        unlikely += source.id not in scores
    assert likely > 20 and unlikely >= 10  # both sides of the line were exercised


@settings(max_examples=200, deadline=None)
@given(given_name=st.text("abcéñ'’-  ıłøæAÉ\u0301", max_size=12), family=st.text("abcéñ'’-  ıłøæAÉ\u0301", max_size=12))
def test_a_names_search_words_are_those_of_its_parts(given_name: str, family: str) -> None:
    """The index folds each given and family name once and unions their words."""
    from hms_desktop.domain.patient import search_words

    assert set(search_words(f"{given_name} {family}")) == set(search_words(given_name)) | set(search_words(family))


@settings(max_examples=300, deadline=None)
@given(dob=st.dates(date(1890, 1, 1), date(2026, 12, 31)), first=st.integers(1890, 2026), span=st.integers(0, 140))
def test_the_date_keys_looked_up_are_every_real_slip_within_the_stored_years(dob: date, first: int, span: int) -> None:
    """The integer keys the index looks up leave out only texts that name no date a
    patient could have been stored with (no such month or day, a year no stored patient has)."""
    from hms_desktop.domain.duplicates import dob_key, dob_variant_keys, dob_variant_texts

    years = range(first, first + span + 1)
    real = set()
    for text in dob_variant_texts(dob):
        try:
            slip = date.fromisoformat(text)
        except ValueError:
            continue
        if slip.year in years:
            real.add(dob_key(text))
    assert real <= set(dob_variant_keys(dob, years))


def test_a_registration_born_in_a_new_year_is_found_by_the_next_check() -> None:
    """The years the index looks in grow with the patients registered after its first check."""
    index = PatientIndex({c: [] for c in INDEX_COLUMNS})
    index.upsert(Patient(id="PAT000001", given_name="Ada", family_name="Byron",
                         date_of_birth=date(1990, 3, 4), phone="+447911123456"))
    assert index.duplicates(Identity("Grace", "Hopper", date(2019, 5, 6), "")) == []  # blocking built
    index.upsert(Patient(id="PAT000002", given_name="Grace", family_name="Hopper",
                         date_of_birth=date(2019, 5, 6), phone=""))
    found = index.duplicates(Identity("Grace", "Hopper", date(2018, 5, 6), ""))  # the year a digit off
    assert [m.id for m in found] == ["PAT000002"]


def test_the_same_check_after_a_registration_sees_the_new_patient() -> None:
    """Save asks again what the form asked; an answer kept from before a change is never given."""
    index = PatientIndex({c: [] for c in INDEX_COLUMNS})
    index.upsert(Patient(id="PAT000001", given_name="Ada", family_name="Byron",
                         date_of_birth=date(1990, 3, 4), phone="+447911123456"))
    probe = Identity("Grace", "Hopper", date(1985, 5, 6), "+447400555111")
    assert index.duplicates(probe) == [] and index.duplicates(probe) == []
    index.upsert(Patient(id="PAT000002", given_name="Grace", family_name="Hopper",
                         date_of_birth=date(1985, 5, 6), phone="+447400555111"))
    assert [m.id for m in index.duplicates(probe)] == ["PAT000002"]
    assert index.duplicates(probe, exclude="PAT000002") == []
