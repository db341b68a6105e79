"""Is this new registration someone we already know? Pure scoring of one pair of identities.

The evidence and why each counts:
- names, fuzzy (rapidfuzz token-sort ratio on accent-folded text), so typos and given/family
  typed the wrong way round still match;
- a phonetic match (metaphone of every name word, order-free): "Smyth" sounds like "Smith";
- date of birth equal, with day and month swapped (a US-style entry), or one digit off;
- equal phone number (a bonus only: families share phones, people change them).

The score is the evidence found divided by the evidence that *could* be found from what
has been typed so far, so matches appear while the form is half filled. Finding the few
candidates to score (blocking) is the index's job; ``dob_variants`` and ``phonetic_key``
are the keys it blocks on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import jellyfish
from rapidfuzz import fuzz

from hms_desktop.domain.patient import name_words

#: Score from which a pair is shown to the user as a likely duplicate.
LIKELY = 0.7

_NAME, _PHONETIC, _DOB, _PHONE = 0.5, 0.1, 0.4, 0.25
_DOB_SWAPPED, _DOB_ONE_DIGIT = 0.8, 0.7


@dataclass(frozen=True)
class Identity:
    """What duplicate detection compares; built once per stored patient by the index."""

    given: str
    family: str
    dob: date | None = None
    phone: str = ""  # E.164 or ""
    id: str = ""
    folded: str = field(init=False, compare=False)
    sounds: tuple[str, ...] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "folded", " ".join(name_words(f"{self.given} {self.family}")))
        object.__setattr__(self, "sounds", phonetic_key(self.given, self.family))


@dataclass(frozen=True)
class DuplicateMatch:
    id: str
    score: float
    reasons: tuple[str, ...]


def phonetic_key(given: str, family: str) -> tuple[str, ...]:
    """Sorted metaphone codes of every name word: equal for "Smyth, Jon" and "John Smith"."""
    return tuple(sorted(jellyfish.metaphone(w) for w in name_words(f"{given} {family}")))


def dob_variants(dob: date) -> set[date]:
    """Dates a slip of the keyboard could have turned ``dob`` into (itself included)."""
    variants = {dob}
    try:
        variants.add(date(dob.year, dob.day, dob.month))
    except ValueError:
        pass
    text = dob.isoformat()
    for pos, ch in enumerate(text):
        if not ch.isdigit():
            continue
        for digit in "0123456789":
            try:
                variants.add(date.fromisoformat(text[:pos] + digit + text[pos + 1:]))
            except ValueError:
                continue
    return variants


def _dob_similarity(a: date, b: date) -> tuple[float, str]:
    if a == b:
        return 1.0, "same date of birth"
    if (a.year, a.month, a.day) == (b.year, b.day, b.month):
        return _DOB_SWAPPED, "date of birth with day and month swapped"
    if sum(x != y for x, y in zip(a.isoformat(), b.isoformat(), strict=True)) == 1:
        return _DOB_ONE_DIGIT, "date of birth one digit off"
    return 0.0, ""


def score(probe: Identity, known: Identity) -> DuplicateMatch:
    """How likely ``known`` is the person being registered as ``probe`` (0..1, with reasons)."""
    got = possible = 0.0
    reasons: list[str] = []
    if probe.folded and known.folded:
        # Token-sort survives given/family swapped; the joined form survives "O Brien"/"OBrien".
        ratio = max(fuzz.token_sort_ratio(probe.folded, known.folded),
                    fuzz.ratio(probe.folded.replace(" ", ""), known.folded.replace(" ", ""))) / 100.0
        # Unrelated names still share letters (ratio ~0.5): only similarity above that counts.
        got += _NAME * max(0.0, (ratio - 0.5) / 0.5)
        possible += _NAME + _PHONETIC
        reasons.append(f"name {ratio:.0%} similar")
        if probe.sounds == known.sounds:
            got += _PHONETIC
            reasons.append("names sound alike")
    if probe.dob is not None and known.dob is not None:
        similarity, why = _dob_similarity(probe.dob, known.dob)
        got += _DOB * similarity
        possible += _DOB
        if why:
            reasons.append(why)
    if probe.phone and known.phone:
        possible += _PHONE
        if probe.phone == known.phone:
            got += _PHONE
            reasons.append("same phone")
    value = got / possible if possible else 0.0
    return DuplicateMatch(known.id, round(value, 3), tuple(reasons))


def rank(probe: Identity, candidates: list[Identity], *, limit: int = 10,
         threshold: float = LIKELY) -> list[DuplicateMatch]:
    """The likely duplicates among ``candidates``, best first."""
    matches = [m for m in (score(probe, c) for c in candidates) if m.score >= threshold]
    matches.sort(key=lambda m: (-m.score, m.id))
    return matches[:limit]

