"""Duplicate check for a whole import: the registration rule, at batch speed.

Each row is scored with ``domain.duplicates.score`` (the rule the registration form and
``PatientService.register`` use) against the clinic's patients that share a blocking key: a
date of birth a slip away (``dob_variants``) or the same phone. That is the same candidate set
as ``PatientIndex.duplicates`` for every row with a date of birth: a candidate found only by
the sound of the name, with an unrelated date and another phone, scores at most 0.6 and is never
a likely duplicate. Rows with an age instead of a date (no date to block on) are blocked on
their name's word beginnings instead.

What makes it fast: names are folded once per patient touched (cached), and a pair whose
names are less than ``NAME_FLOOR`` alike is dropped before the full score: without the same
phone such a pair cannot reach ``LIKELY`` (worked out at ``NAME_FLOOR``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process

from hms_desktop.domain.duplicates import LIKELY, DuplicateMatch, Identity, dob_variants, score
from hms_desktop.domain.patient import age_on, fold, name_words

#: The least name similarity with which a pair without the same phone can score LIKELY:
#: score = (0.5·n + 0.1·sound + 0.4·dob [+ 0.25 phone]) / possible, with n = (ratio-0.5)/0.5;
#: the easiest case (same date, names sound alike, no phones) needs n ≥ 0.4, ratio ≥ 0.7.
#: A margin below that keeps the filter safe against rounding.
NAME_FLOOR = 0.65


@lru_cache(maxsize=65_536)
def folded_name(given: str, family: str) -> str:
    """Folded "given family" as the scorer compares it (cached: names repeat in a clinic)."""
    return " ".join(name_words(f"{given} {family}"))


@lru_cache(maxsize=65_536)
def dob_keys(born: date) -> tuple[str, ...]:
    """ISO texts of the dates a slip of the keyboard could have turned ``born`` into."""
    return tuple(d.isoformat() for d in dob_variants(born))


def name_key(given: str, family: str) -> tuple[str, ...]:
    """Blocking key for rows without a date: the first two letters of each name word, in any
    order (typos after the second letter and given/family swapped keep it)."""
    return tuple(sorted(_start(w) for w in f"{given} {family}".split()))


def _start(word: str) -> str:
    head = word[:4].casefold()
    return (head if head.isascii() else fold(head))[:2]


class ExistingPatients:
    """The clinic's patients as the import's duplicate check sees them (built once per plan)."""

    def __init__(self, services: Any) -> None:
        frame = services.patients.table.frame(["given_name", "family_name", "date_of_birth",
                                               "phone", "status"])
        self.ids: list[str] = [str(i) for i in frame.index]
        self.given: list[str] = frame["given_name"].tolist()
        self.family: list[str] = frame["family_name"].tolist()
        self.dob: list[str] = frame["date_of_birth"].tolist()
        self.phone: list[str] = frame["phone"].tolist()
        self.merged = [status == "merged" for status in frame["status"].tolist()]
        self.by_dob: dict[str, list[int]] = defaultdict(list)
        self.by_phone: dict[str, list[int]] = defaultdict(list)
        for row, (born, phone) in enumerate(zip(self.dob, self.phone, strict=True)):
            self.by_dob[born].append(row)
            if phone:
                self.by_phone[phone].append(row)
        self._by_name: dict[tuple[str, ...], list[int]] | None = None
        self._folded: list[tuple[str, str] | None] = [None] * len(self.ids)

    def folded(self, row: int) -> tuple[str, str]:
        """(folded name, the same without spaces), computed once per patient touched."""
        pair = self._folded[row]
        if pair is None:
            text = folded_name(self.given[row], self.family[row])
            pair = self._folded[row] = (text, text.replace(" ", ""))
        return pair

    def _name_block(self) -> dict[tuple[str, ...], list[int]]:
        if self._by_name is None:
            block: dict[tuple[str, ...], list[int]] = defaultdict(list)
            for row, (given, family) in enumerate(zip(self.given, self.family, strict=True)):
                block[name_key(given, family)].append(row)
            self._by_name = dict(block)
        return self._by_name

    def candidates(self, probe: Identity) -> set[int]:
        rows: set[int] = set()
        if probe.dob is not None:
            for day in dob_keys(probe.dob):
                rows.update(self.by_dob.get(day, ()))
        else:
            rows.update(self._name_block().get(name_key(probe.given, probe.family), ()))
        if probe.phone:
            rows.update(self.by_phone.get(probe.phone, ()))
        return rows

    def matches(self, probe: Identity, *, age: int | None = None,
                today: date | None = None) -> list[DuplicateMatch]:
        """Likely existing records of ``probe``, best first. With ``age`` (a row with an age
        and no date of birth), only patients of that age ± 1 on ``today`` count."""
        found: list[DuplicateMatch] = []
        rows = [r for r in self.candidates(probe) if not self.merged[r]]
        if not rows:
            return found
        alike = _names_alike(probe.folded, [self.folded(r) for r in rows])
        for row, name_ok in zip(rows, alike, strict=True):
            if not name_ok and not (probe.phone and probe.phone == self.phone[row]):
                continue
            born = date.fromisoformat(self.dob[row])
            if age is not None and today is not None and abs(age_on(born, today) - age) > 1:
                continue
            match = score(probe, Identity(self.given[row], self.family[row], born, self.phone[row],
                                          id=self.ids[row]))
            if match.score >= LIKELY:
                found.append(match)
        found.sort(key=lambda m: (-m.score, m.id))
        return found


def _names_alike(folded: str, names: list[tuple[str, str]]) -> list[bool]:
    """``could_match``'s name test for many names in two C calls (rapidfuzz cdist)."""
    order = process.cdist([folded], [n[0] for n in names], scorer=fuzz.token_sort_ratio)[0]
    joined = process.cdist([folded.replace(" ", "")], [n[1] for n in names], scorer=fuzz.ratio)[0]
    floor = NAME_FLOOR * 100
    return [bool(a >= floor or b >= floor) for a, b in zip(order, joined, strict=True)]


def could_match(probe: Identity, folded: str, phone: str) -> bool:
    """False only for pairs that cannot score LIKELY (names too unlike, different phones)."""
    if probe.phone and probe.phone == phone:
        return True
    ratio = max(fuzz.token_sort_ratio(probe.folded, folded),
                fuzz.ratio(probe.folded.replace(" ", ""), folded.replace(" ", ""))) / 100.0
    return ratio >= NAME_FLOOR
