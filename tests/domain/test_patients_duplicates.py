"""Duplicate scoring quality on a labelled set the test generates (typos, swaps, transpositions)."""

from __future__ import annotations

import random
import string
from datetime import date

import pytest

from hms_desktop.domain.duplicates import LIKELY, Identity, dob_variants, phonetic_key, rank, score
from hms_desktop.services.demo.patients import fake_patients


def typo(rng: random.Random, word: str) -> str:
    """One keyboard slip: substitute, drop, double or transpose a letter."""
    i = rng.randrange(1, len(word)) if len(word) > 1 else 0
    kind = rng.choice(("sub", "drop", "double", "swap"))
    if kind == "sub":
        return word[:i] + rng.choice(string.ascii_lowercase) + word[i + 1:]
    if kind == "drop" and len(word) > 3:
        return word[:i] + word[i + 1:]
    if kind == "swap" and i < len(word) - 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + word[i] + word[i:]


def variant(rng: random.Random, person: Identity) -> Identity:
    """The same person registered again with one or two realistic mistakes."""
    given, family, dob, phone = person.given, person.family, person.dob, person.phone
    assert dob is not None
    mistakes = rng.sample(("typo_given", "typo_family", "swap_dm", "digit", "transpose", "no_phone"),
                          k=rng.choice((1, 2)))
    for m in mistakes:
        if m == "typo_given":
            given = typo(rng, given)
        elif m == "typo_family":
            family = typo(rng, family)
        elif m == "swap_dm" and dob.day <= 12 and dob.day != dob.month:
            dob = date(dob.year, dob.day, dob.month)
        elif m == "digit":
            dob = rng.choice(sorted(dob_variants(dob) - {dob}))
        elif m == "transpose":
            given, family = family, given
        elif m == "no_phone":
            phone = ""
    return Identity(given, family, dob, phone, id=f"probe-of-{person.id}")


def labelled_set(seed: int = 7) -> tuple[list[Identity], list[Identity]]:
    rng = random.Random(seed)
    people = [Identity(p.given_name, p.family_name, p.date_of_birth, p.phone, id=f"P{i}")
              for i, p in enumerate(fake_patients(rng, 1500, date(2026, 11, 25)))]
    sources = rng.sample(people, 300)
    # Hard negatives: a namesake (same name, other birthday) and a sibling sharing the family
    # phone for a third of the sources, so precision is measured where it is hard.
    for n, person in enumerate(sources[:100]):
        other = people[(n * 7 + 3) % len(people)]
        people.append(Identity(person.given, person.family, other.dob, "", id=f"namesake{n}"))
        people.append(Identity(other.given, person.family, other.dob, person.phone, id=f"sibling{n}"))
    probes = [variant(rng, person) for person in sources]
    return people, probes


@pytest.mark.slow
def test_recall_and_precision_on_labelled_set() -> None:
    people, probes = labelled_set()
    true_pos = false_pos = 0
    for probe in probes:
        found = rank(probe, people, limit=10)
        source = probe.id.removeprefix("probe-of-")
        true_pos += any(m.id == source for m in found)
        false_pos += sum(m.id != source for m in found)
    recall = true_pos / len(probes)
    precision = true_pos / max(1, true_pos + false_pos)
    print(f"duplicate detection: recall {recall:.3f}, precision {precision:.3f}")
    assert recall >= 0.9
    assert precision >= 0.8


def test_each_kind_of_evidence_raises_the_score() -> None:
    known = Identity("Siobhán", "O'Brien", date(1984, 3, 7), "+447911123456", id="PAT000001")
    exact = score(Identity("siobhan", "obrien", date(1984, 3, 7), "+447911123456"), known)
    assert exact.score >= 0.9
    swapped = score(Identity("Siobhan", "O'Brien", date(1984, 7, 3)), known)
    same_no_phone = score(Identity("Siobhan", "O'Brien", date(1984, 3, 7)), known)
    assert LIKELY <= swapped.score < same_no_phone.score
    assert "day and month swapped" in " ".join(swapped.reasons)
    transposed = score(Identity("O'Brien", "Siobhan", date(1984, 3, 7)), known)
    assert transposed.score >= 0.95
    stranger = score(Identity("Mehmet", "Yılmaz", date(1984, 3, 7)), known)
    assert stranger.score < LIKELY
    namesake = score(Identity("Siobhan", "O'Brien", date(1991, 10, 22)), known)
    assert namesake.score < LIKELY


def test_partial_form_scores_on_what_is_typed() -> None:
    known = Identity("Jürgen", "Schröder", date(1950, 1, 2), id="PAT000002")
    assert score(Identity("Jurgen", "Schroder"), known).score >= 0.95
    assert rank(Identity("Jurgen", "Schroeder"), [known]) != []


def test_blocking_keys_cover_the_mistakes() -> None:
    dob = date(1984, 3, 7)
    variants = dob_variants(dob)
    assert {dob, date(1984, 7, 3), date(1985, 3, 7), date(1984, 3, 8)} <= variants
    assert phonetic_key("Smyth", "Jon") == phonetic_key("John", "Smith")
