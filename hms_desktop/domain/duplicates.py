"""Is this new registration someone we already know? Pure scoring of one pair of identities.

The evidence and why each counts:
- names, fuzzy (rapidfuzz token-sort ratio on accent-folded text), so typos and given/family
  typed the wrong way round still match;
- a phonetic match (metaphone of every name word, order-free): "Smyth" sounds like "Smith";
- date of birth equal, with day and month swapped (a US-style entry), or one digit off;
- equal phone number (a bonus only: families share phones, people change them).

The score is the evidence found divided by the evidence that *could* be found from what
has been typed so far, so matches appear while the form is half filled. Finding the few
candidates to score (blocking) is the index's job; ``dob_variant_texts`` and ``phonetic_key``
are the keys it blocks on, and ``could_be_likely`` drops, in one C call per scorer, the
candidates whose names are too far apart for any date or phone to lift them to ``LIKELY``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache

import jellyfish
from rapidfuzz import fuzz, process

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

    def __post_init__(self) -> None:
        object.__setattr__(self, "folded", " ".join(name_words(f"{self.given} {self.family}")))

    @cached_property
    def sounds(self) -> tuple[str, ...]:
        """``phonetic_key`` of the name; worked out on first use (most candidates are
        dropped by the name filter before any score asks for it)."""
        return phonetic_key(self.given, self.family)


@dataclass(frozen=True)
class DuplicateMatch:
    id: str
    score: float
    reasons: tuple[str, ...]


def phonetic_key(given: str, family: str) -> tuple[str, ...]:
    """Sorted metaphone codes of every name word: equal for "Smyth, Jon" and "John Smith"."""
    return tuple(sorted(word_sounds(f"{given} {family}")))


def word_sounds(text: str) -> tuple[str, ...]:
    """Metaphone codes of a name's words in order. ``name_words`` splits on spaces, so the
    codes of "given family" are those of each part: an index works each distinct part once."""
    return tuple(jellyfish.metaphone(w) for w in name_words(text))


def dob_variants(dob: date) -> set[date]:
    """Dates a slip of the keyboard could have turned ``dob`` into (itself included)."""
    variants = set()
    for text in dob_variant_texts(dob):
        try:
            variants.add(date.fromisoformat(text))
        except ValueError:
            continue
    return variants


@lru_cache(maxsize=4096)
def dob_variant_texts(dob: date) -> frozenset[str]:
    """``dob_variants`` as ISO text, without checking that each is a real date."""
    text = dob.isoformat()
    variants = {text, f"{dob.year:04d}-{dob.day:02d}-{dob.month:02d}"}
    for pos, ch in enumerate(text):
        if ch.isdigit():
            variants.update(text[:pos] + digit + text[pos + 1:] for digit in "0123456789")
    return frozenset(variants)


def dob_key(iso_text: str) -> int:
    """A stored date of birth ("YYYY-MM-DD") as the number YYYYMMDD: what an index files it
    under for ``dob_variant_keys``."""
    return int(iso_text.replace("-", ""))


@lru_cache(maxsize=4096)
def dob_variant_keys(dob: date, years: range) -> tuple[int, ...]:
    """``dob_key`` of each of ``dob_variant_texts`` that could be a stored date of birth:
    month 1-12, day 1-31 and a year in ``years`` (those of the dates an index holds), about
    40 of its 74 texts. The others match no stored row, so an index looks up only these, as
    integers (no string made or hashed): the duplicate check stays under half a millisecond
    when the processor's caches are cold, as between two keystrokes (bench/compare.py).
    Cached: every keystroke of a registration form asks again with the same date.
    """
    year, month, day = dob.year, dob.month, dob.day
    # Each digit of YYYY, MM and DD replaced by each digit it could be: any in the year (then
    # only years held), 0-1 for the month's tens, 0-3 for the day's tens.
    years_held = [y for weight in (1000, 100, 10, 1) for y in _digit_swaps(year, weight, 10) if y in years]
    months = [m for m in (*_digit_swaps(month, 10, 2), *_digit_swaps(month, 1, 10)) if 1 <= m <= 12]
    days = [d for d in (*_digit_swaps(day, 10, 4), *_digit_swaps(day, 1, 10)) if 1 <= d <= 31]
    keys = {y * 10_000 + month * 100 + day for y in years_held}
    if year in years:
        keys.update(year * 10_000 + m * 100 + day for m in months)
        keys.update(year * 10_000 + month * 100 + d for d in days)
        if day <= 12:
            keys.add(year * 10_000 + day * 100 + month)  # day and month swapped
    return tuple(keys)


def _digit_swaps(number: int, weight: int, digits: int) -> range:
    """``number`` with its digit of ``weight`` (1, 10, 100, ...) replaced by 0 .. digits-1."""
    stem = number - number // weight % 10 * weight
    return range(stem, stem + digits * weight, weight)


def _dob_similarity(a: date, b: date) -> tuple[float, str]:
    if a == b:
        return 1.0, "same date of birth"
    if (a.year, a.month, a.day) == (b.year, b.day, b.month):
        return _DOB_SWAPPED, "date of birth with day and month swapped"
    if sum(x != y for x, y in zip(a.isoformat(), b.isoformat(), strict=True)) == 1:
        return _DOB_ONE_DIGIT, "date of birth one digit off"
    return 0.0, ""


def name_ratio(a: str, b: str) -> float:
    """0..1: token-sort survives given/family swapped; the joined form survives "O Brien"/"OBrien"."""
    return max(fuzz.token_sort_ratio(a, b), fuzz.ratio(a.replace(" ", ""), b.replace(" ", ""))) / 100.0


def score(probe: Identity, known: Identity) -> DuplicateMatch:
    """How likely ``known`` is the person being registered as ``probe`` (0..1, with reasons)."""
    got = possible = 0.0
    reasons: list[str] = []
    if probe.folded and known.folded:
        ratio = name_ratio(probe.folded, known.folded)
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


def least_name_ratio(probe: Identity, threshold: float = LIKELY) -> float:
    """The lowest ``name_ratio`` with which ``score`` could still reach ``threshold``.

    An upper bound on ``score``: the names sound alike, and the date of birth and the phone
    are equal whenever the probe has them (a known phone the probe lacks adds nothing; one
    the known record lacks only removes evidence, which cannot raise got/possible above what
    an equal phone gives, since got <= possible). Rounding to 3 places is allowed for.
    """
    evidence = _DOB * (probe.dob is not None) + _PHONE * bool(probe.phone)
    needed = (threshold - 0.0005) * (_NAME + _PHONETIC + evidence) - (_PHONETIC + evidence)
    return 0.5 + 0.5 * max(0.0, needed / _NAME)


def could_be_likely(probe: Identity, folded: Sequence[str], threshold: float = LIKELY) -> list[int]:
    """Positions in ``folded`` (known names, ``Identity.folded``) that ``score`` could rank
    at or above ``threshold`` against ``probe``: the rest cannot, whatever their date or phone.

    The two name scorers run over all of them in C (rapidfuzz ``process.extract`` with a
    cut-off), so a few hundred candidates cost tens of microseconds, not a Python call each.
    A known record without name words is kept: its score rests on the date and phone alone.
    """
    if not probe.folded or not folded:
        return list(range(len(folded)))
    cutoff = least_name_ratio(probe, threshold) * 100.0 - 1e-6
    if cutoff <= 50.0:  # even unrelated names could reach it
        return list(range(len(folded)))
    keep = {i for i, name in enumerate(folded) if not name} if "" in folded else set()
    for query, choices, scorer in (
        (probe.folded, folded, fuzz.token_sort_ratio),
        # Folded names hold letters, digits and spaces only (name_words), never a NUL.
        (probe.folded.replace(" ", ""), "\0".join(folded).replace(" ", "").split("\0"), fuzz.ratio),
    ):
        keep.update(i for _, _, i in process.extract(query, choices, scorer=scorer,
                                                     score_cutoff=cutoff, limit=None))
    return sorted(keep)


def dob_slips_decide(probe: Identity, threshold: float = LIKELY) -> bool:
    """True when only known records whose date of birth is one of ``probe``'s slips
    (``dob_variant_texts``) can score ``threshold``: all the other evidence together
    (names identical and alike, same phone) stays below it without the date. With these
    weights that is 0.85 / 1.25 = 0.68 < 0.7, so a registration form with its date filled
    in needs no other blocking key, and finds everything the scorer would.
    """
    if probe.dob is None:
        return False
    without_date = _NAME + _PHONETIC + _PHONE
    return without_date / (without_date + _DOB) < threshold - 0.0005


def rank(probe: Identity, candidates: list[Identity], *, limit: int = 10,
         threshold: float = LIKELY) -> list[DuplicateMatch]:
    """The likely duplicates among ``candidates``, best first."""
    matches = [m for m in (score(probe, c) for c in candidates) if m.score >= threshold]
    matches.sort(key=lambda m: (-m.score, m.id))
    return matches[:limit]

