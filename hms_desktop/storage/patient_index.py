"""In-memory search and duplicate-blocking index over the patients table.

Why not scan the table per keystroke: 100,000 rows scanned in Python cost ~50 ms, three
frames. Here every query is a few binary searches over sorted word lists plus set
intersections, and a phone-digit substring search is one ``str.find`` loop over a single
joined string, so a keystroke costs about a millisecond.

Rows are positions (ints) in insertion order; the list model holds positions, never copies of
records. The index is thread-safe: the background writer upserts while the GUI thread searches.
"""

from __future__ import annotations

import operator
import re
import threading
from array import array
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import islice

import numpy as np

from hms_desktop.domain.duplicates import (
    DuplicateMatch,
    Identity,
    could_be_likely,
    dob_key,
    dob_slips_decide,
    dob_variant_keys,
    phonetic_key,
    rank,
    word_sounds,
)
from hms_desktop.domain.patient import Patient, name_words, search_words

from .packed_rows import slices
from .row_buckets import RowBuckets

#: Columns the index keeps per row (raw cell text, as the table stores it).
INDEX_COLUMNS = ("id", "given_name", "family_name", "date_of_birth", "phone", "status")
HIDDEN_BY_DEFAULT = frozenset({"inactive", "deceased", "merged"})
#: Fewest significant digits (after a leading trunk 0) that search phone numbers.
MIN_PHONE_DIGITS = 3

_DIGIT_GAPS = re.compile(r"(?<=\d)[\s\-().]+(?=\d)")
# Dates are taken out before digit groups are joined (so "1984-03-07" is not a phone number).
_DATES = re.compile(r"(?<![\d/.-])(?:(\d{4})-(\d{1,2})(?:-(\d{1,2}))?"
                    r"|(\d{1,2})[/.](\d{1,2})(?:[/.](\d{4}))?)(?![\d/.-])")


class PrefixIndex:
    """Sorted (key, row) pairs answering "rows with a key starting with p" by two bisects.

    Pairs added one at a time go to a small sorted side list, folded into the main lists
    every ``_FOLD_AT`` additions: inserting into the middle of a 300,000-entry list moves
    2.4 MB, about 0.1 ms, and registering one patient adds five pairs. Lookups bisect both.
    """

    _FOLD_AT = 1024

    def __init__(self, pairs: Iterable[tuple[str, int]] = ()) -> None:
        items = list(pairs)
        self._keys, self._rows = _in_pair_order([k for k, _ in items], [r for _, r in items])
        self._recent: list[tuple[str, int]] = []  # sorted; at most _FOLD_AT

    @classmethod
    def of(cls, keys: Sequence[str], rows: Sequence[int], *, rows_ascending: bool = False) -> PrefixIndex:
        """From parallel lists (no tuple per pair: building the index at 100,000 patients
        makes about 500,000 pairs); ``rows_ascending`` when ``rows`` never decreases."""
        index = cls()
        index._keys, index._rows = _in_pair_order(keys, rows, rows_ascending=rows_ascending)
        return index

    def add(self, key: str, row: int) -> None:
        insort(self._recent, (key, row))
        if len(self._recent) >= self._FOLD_AT:
            self._fold()

    def _fold(self) -> None:
        """Merge the side list into the main lists: slices copied in order, O(n) in C."""
        keys: list[str] = []
        rows = array("i")
        done = 0
        for key, row in self._recent:
            at = bisect_right(self._keys, key, done)
            keys += self._keys[done:at]
            rows += self._rows[done:at]
            keys.append(key)
            rows.append(row)
            done = at
        keys += self._keys[done:]
        rows += self._rows[done:]
        self._keys, self._rows, self._recent = keys, rows, []

    def add_many(self, pairs: list[tuple[str, int]]) -> None:
        """Many at once (a registered batch): one re-sort instead of an insert per pair."""
        if len(pairs) < 64:
            for key, row in pairs:
                self.add(key, row)
            return
        # Timsort merges the sorted runs in about linear time.
        ordered = sorted([*zip(self._keys, self._rows, strict=True), *self._recent, *pairs])
        self._keys = [k for k, _ in ordered]
        self._rows = array("i", [r for _, r in ordered])
        self._recent = []

    def remove(self, key: str, row: int) -> None:
        at = bisect_left(self._recent, (key, row))
        if at < len(self._recent) and self._recent[at] == (key, row):
            del self._recent[at]
            return
        lo, hi = bisect_left(self._keys, key), bisect_right(self._keys, key)
        for i in range(lo, hi):
            if self._rows[i] == row:
                del self._keys[i], self._rows[i]
                return

    def prefix(self, text: str) -> list[int]:
        end = text + "\U0010ffff"
        found = self._rows[bisect_left(self._keys, text):bisect_left(self._keys, end)].tolist()
        if self._recent:
            lo = bisect_left(self._recent, (text, -1))
            hi = bisect_left(self._recent, (end, -1))
            found += [row for _, row in self._recent[lo:hi]]
        return found


def _in_pair_order(keys: Sequence[str], rows: Sequence[int], *,
                   rows_ascending: bool = False) -> tuple[list[str], array[int]]:
    """Keys and rows in (key, row) order, rows as C ints (4 bytes, not a 28-byte int object
    per pair: ~12 MB at 100,000 patients).

    Keys repeat (~6,000 distinct words, ~30,000 birth dates, 366 "MM-DD" among 100,000
    patients): only the distinct keys are sorted as strings, each key becomes its rank, and
    numpy orders the (rank, row) pairs; the keys kept are one string per distinct key.
    Keys already in order with ascending rows (IDs, issued in order) are kept as they are.
    """
    if rows_ascending or isinstance(rows, range):
        if all(map(operator.le, keys, islice(keys, 1, None))):  # in C
            return list(keys), array("i", rows)
    distinct = sorted(set(keys))
    rank_of = dict(zip(distinct, range(len(distinct)), strict=True))
    ranks = np.fromiter(map(rank_of.__getitem__, keys), dtype=np.int64, count=len(keys))
    positions = np.fromiter(rows, dtype=np.int64, count=len(keys))
    order = np.argsort(ranks, kind="stable") if rows_ascending or isinstance(rows, range) \
        else np.lexsort((positions, ranks))
    return list(map(distinct.__getitem__, ranks[order].tolist())), array("i", positions[order].astype(np.int32).tobytes())


@dataclass(frozen=True)
class QueryTerm:
    kind: str  # "name", "digits", "date", "id"
    text: str


def _date_term(match: re.Match[str]) -> QueryTerm:
    """ISO "YYYY-MM[-DD]" or day-first "DD/MM[/YYYY]" as an ISO prefix (or "MM-DD" without a year)."""
    iso_y, iso_m, iso_d, day, month, year = match.groups()
    if iso_y is not None:
        return QueryTerm("date", "-".join(p.zfill(2) for p in (iso_y, iso_m, iso_d) if p is not None))
    if year is None:
        return QueryTerm("date", f"{month.zfill(2)}-{day.zfill(2)}")
    return QueryTerm("date", f"{year}-{month.zfill(2)}-{day.zfill(2)}")


def parse_query(text: str) -> list[QueryTerm]:
    """Split a search box's text into terms; every term must match (AND), in any order."""
    terms = [_date_term(m) for m in _DATES.finditer(text)]
    text = _DIGIT_GAPS.sub("", _DATES.sub(" ", text).strip())
    for raw in text.split():
        token = raw.casefold()
        if re.fullmatch(r"pat\d*", token):
            terms.append(QueryTerm("id", token.upper()))
        elif token.lstrip("+").isdigit():
            terms.append(QueryTerm("digits", token.lstrip("+")))
        else:
            terms.extend(QueryTerm("name", w) for w in name_words(token))
    return terms


class PatientIndex:
    """Search, sort keys and duplicate candidates for every patient row."""

    def __init__(self, columns: Mapping[str, Sequence[str]]) -> None:
        """Build from the table's raw columns (``table.column(name)`` for each INDEX_COLUMNS)."""
        self._lock = threading.RLock()
        self.cols: dict[str, list[str]] = {c: _shared(columns[c]) if c in _REPEATING else list(columns[c])
                                           for c in INDEX_COLUMNS}
        n = len(self.cols["id"])
        self._row_of = dict(zip(self.cols["id"], range(n), strict=True))
        # The words of "given family" are those of each part (search_words splits on spaces),
        # and names repeat: folding each distinct part once halves building the index.
        given_names, family_names = self.cols["given_name"], self.cols["family_name"]
        words = {part: frozenset(search_words(part)) for part in {*given_names, *family_names}}
        word_keys: list[str] = []
        word_rows: list[int] = []
        for row, (given, family) in enumerate(zip(given_names, family_names, strict=True)):
            found = words[given] | words[family]
            word_keys += found
            word_rows += [row] * len(found)
        self._words = PrefixIndex.of(word_keys, word_rows, rows_ascending=True)
        dates = self.cols["date_of_birth"]
        self._dates = PrefixIndex.of(dates, range(n))
        self._md = PrefixIndex.of(_shared(d[5:] for d in dates), range(n))  # 366 distinct "MM-DD"
        self._ids = PrefixIndex.of(self.cols["id"], range(n))
        # Duplicate blocking, built on first use or by ``warm_up_duplicates`` (after start-up,
        # on the writer): the Patients tab's search does not need it.
        self._by_dob: RowBuckets[int] | None = None  # by ``dob_key``
        self._dob_years = range(0)  # from the earliest to the latest year in ``_by_dob``
        self._by_phone: RowBuckets[str] | None = None
        self._by_sound: RowBuckets[str] | None = None  # built on first duplicate check
        self._folded: list[str] | None = None  # Identity.folded per row, built on first duplicate check
        self._hidden = bytearray(map(HIDDEN_BY_DEFAULT.__contains__, self.cols["status"]))
        self._phone_blob: tuple[str, list[int]] | None = None
        self.generation = 0  # bumped on every change; views use it to know they are stale
        self._last_check: tuple[tuple[Identity, int, str], int, list[DuplicateMatch]] | None = None

    # ------------------------------------------------------------------ upkeep
    def __len__(self) -> int:
        return len(self.cols["id"])

    def row_of(self, patient_id: str) -> int | None:
        return self._row_of.get(patient_id)

    def upsert(self, patient: Patient) -> int:
        """Add or refresh one patient after a write; returns its row."""
        return self.upsert_many([patient])[0]

    def upsert_many(self, patients: Sequence[Patient]) -> list[int]:
        """Add or refresh patients after a write; returns their rows."""
        with self._lock:
            rows = []
            for patient in patients:
                values = {
                    "id": patient.id, "given_name": patient.given_name,
                    "family_name": patient.family_name,
                    "date_of_birth": patient.date_of_birth.isoformat(), "phone": patient.phone,
                    "status": patient.status.value,
                }
                row = self._row_of.get(patient.id)
                if row is None:
                    row = len(self)
                    for c in INDEX_COLUMNS:
                        self.cols[c].append(values[c])
                    self._row_of[patient.id] = row
                    self._hidden.append(0)
                else:
                    self._forget(row)
                    for c in INDEX_COLUMNS:
                        self.cols[c][row] = values[c]
                self._hidden[row] = values["status"] in HIDDEN_BY_DEFAULT
                rows.append(row)
            self._remember(rows)
            self.generation += 1
            return rows

    def _row_words(self, row: int) -> set[str]:
        return set(search_words(f"{self.cols['given_name'][row]} {self.cols['family_name'][row]}"))

    def _row_sound(self, row: int) -> str:
        return _sound_key(phonetic_key(self.cols["given_name"][row], self.cols["family_name"][row]))

    def _forget(self, row: int) -> None:
        for w in self._row_words(row):
            self._words.remove(w, row)
        pid, dob, phone = self.cols["id"][row], self.cols["date_of_birth"][row], self.cols["phone"][row]
        self._ids.remove(pid, row)
        self._dates.remove(dob, row)
        self._md.remove(dob[5:], row)
        if self._by_dob is not None and self._by_phone is not None:
            self._by_dob.discard(dob_key(dob), row)
            self._by_phone.discard(phone, row)
        if self._by_sound is not None:
            self._by_sound.discard(self._row_sound(row), row)
        self._phone_blob = None

    def _remember(self, rows: list[int]) -> None:
        c = self.cols
        self._words.add_many([(w, row) for row in rows for w in self._row_words(row)])
        self._ids.add_many([(c["id"][row], row) for row in rows])
        self._dates.add_many([(c["date_of_birth"][row], row) for row in rows])
        self._md.add_many([(c["date_of_birth"][row][5:], row) for row in rows])
        for row in rows:
            if self._by_dob is not None and self._by_phone is not None:
                self._by_dob.add(dob_key(c["date_of_birth"][row]), row)
                self._dob_years = _spanning(self._dob_years, int(c["date_of_birth"][row][:4]))
                if c["phone"][row]:
                    self._by_phone.add(c["phone"][row], row)
            if self._by_sound is not None:
                self._by_sound.add(self._row_sound(row), row)
            if self._folded is not None:
                self._folded.extend([""] * (row + 1 - len(self._folded)))
                self._folded[row] = " ".join(name_words(f"{c['given_name'][row]} {c['family_name'][row]}"))
        self._phone_blob = None

    # ------------------------------------------------------------------ search
    def is_hidden(self, row: int) -> bool:
        """Inactive, deceased or merged: left out of searches unless asked for."""
        return bool(self._hidden[row])

    def search(self, text: str, *, include_hidden: bool = False) -> np.ndarray:
        """Row positions matching every term of ``text`` (all rows when empty), ascending.

        Each term marks its rows in a boolean array; the terms are ANDed and hidden rows
        masked out, all vectorised, so 100,000 matches cost about what 100 do.
        """
        terms = parse_query(text)
        with self._lock:
            n = len(self)
            mask = np.ones(n, dtype=np.bool_)
            for term in terms:
                rows = self._term_rows(term)
                hit = np.zeros(n, dtype=np.bool_)
                hit[np.fromiter(rows, dtype=np.int64, count=len(rows))] = True
                mask &= hit
            if not include_hidden:
                mask &= ~np.frombuffer(bytes(self._hidden), dtype=np.bool_)
            return np.flatnonzero(mask)

    def _term_rows(self, term: QueryTerm) -> set[int] | list[int]:
        if term.kind == "name":
            return self._words.prefix(term.text)
        if term.kind == "date":
            index = self._md if len(term.text) == 5 and term.text[2] == "-" else self._dates
            return index.prefix(term.text)
        if term.kind == "id":
            return self._ids.prefix(term.text)
        digits = term.text.lstrip("0")
        # One or two digits are in nearly every phone number: they only match IDs then.
        rows = self._phone_rows(digits) if len(digits) >= MIN_PHONE_DIGITS else set()
        if len(term.text) == 4 and term.text[:2] in ("19", "20"):
            rows |= set(self._dates.prefix(term.text))  # a year
        row = self._row_of.get(f"PAT{int(term.text):06d}")
        if row is not None:  # a bare ID number
            rows.add(row)
        return rows

    def _phone_rows(self, digits: str) -> set[int]:
        """Rows whose phone contains ``digits`` (a leading trunk 0 was stripped by the caller)."""
        if self._phone_blob is None:
            starts, pos = [], 0
            parts = []
            for phone in self.cols["phone"]:
                starts.append(pos)
                part = phone.lstrip("+")
                parts.append(part)
                pos += len(part) + 1
            self._phone_blob = ("\n".join(parts), starts)
        blob, starts = self._phone_blob
        rows: set[int] = set()
        at = blob.find(digits)
        while at >= 0:
            rows.add(bisect_right(starts, at) - 1)
            at = blob.find(digits, at + 1)
        return rows

    # ------------------------------------------------------------------ duplicates
    def identity(self, row: int) -> Identity:
        c = self.cols
        return Identity(c["given_name"][row], c["family_name"][row],
                        date.fromisoformat(c["date_of_birth"][row]), c["phone"][row], id=c["id"][row])

    def duplicates(self, probe: Identity, *, limit: int = 10, exclude: str = "") -> list[DuplicateMatch]:
        """Likely existing records of the person ``probe`` describes (merged records excluded).

        Only rows sharing a blocking key are scored. With a date of birth (a registration
        always has one) that is the rows born on one of its slips: no other row can score
        ``LIKELY`` (``dob_slips_decide``), so this finds exactly what scoring every row would.
        Without one (a half-filled form), rows sharing the phone or the sound of the name.
        Then the names are compared in C and only the few that could be likely are scored.

        The last answer is kept until the next change to the index: Save asks again about
        the person the form has just checked, and gets the same answer without the work.
        """
        asked = (probe, limit, exclude)
        with self._lock:
            if self._last_check is not None and self._last_check[:2] == (asked, self.generation):
                return list(self._last_check[2])
            found = self._duplicates(probe, limit, exclude)
            self._last_check = (asked, self.generation, found)
            return list(found)

    def _duplicates(self, probe: Identity, limit: int, exclude: str) -> list[DuplicateMatch]:
        """``duplicates`` worked out (call with ``_lock`` held)."""
        by_dob, by_phone = self._blocking()
        # A row is under one date, so the slips' rows come each once.
        blocked = by_dob.gather(dob_variant_keys(probe.dob, self._dob_years)) if probe.dob else []
        if not dob_slips_decide(probe):
            rows = set(blocked)
            if probe.phone:
                rows.update(by_phone.get(probe.phone))
            if probe.folded:
                rows.update(self._sounds().get(_sound_key(probe.sounds)))
            blocked = list(rows)
        if not blocked:
            return []
        names = operator.itemgetter(*blocked)(self._folded_names()) if len(blocked) > 1 else \
            (self._folded_names()[blocked[0]],)
        status, ids = self.cols["status"], self.cols["id"]
        candidates = [self.identity(r) for r in (blocked[i] for i in could_be_likely(probe, names))
                      if status[r] != "merged" and ids[r] != exclude]
        return rank(probe, candidates, limit=limit)

    def warm_up_duplicates(self) -> None:
        """Build what the first duplicate check would (blocking keys, sounds, folded names).

        Built from a copy of the columns with the lock released: at 100,000 patients this
        takes ~0.4 s on the writer, and a search or a repaint of the patient list waiting on
        the lock all that time froze the window (bench/startup.py). A write in the meantime
        leaves the structures to be built on first use instead."""
        with self._lock:
            if self._by_dob is not None and self._by_sound is not None and self._folded is not None:
                return
            generation = self.generation
            given, family = list(self.cols["given_name"]), list(self.cols["family_name"])
            born, phones = list(self.cols["date_of_birth"]), list(self.cols["phone"])
        by_dob, by_phone, years = _blocking_keys(born, phones)
        by_sound, folded = _sounds_of(given, family), _folded_of(given, family)
        with self._lock:
            if self.generation == generation:
                if self._by_dob is None or self._by_phone is None:
                    self._by_dob, self._by_phone, self._dob_years = by_dob, by_phone, years
                self._by_sound = self._by_sound or by_sound
                self._folded = self._folded or folded

    def _blocking(self) -> tuple[RowBuckets[int], RowBuckets[str]]:
        """Rows by date of birth and by phone (kept current by writes once built)."""
        if self._by_dob is None or self._by_phone is None:
            self._by_dob, self._by_phone, self._dob_years = _blocking_keys(self.cols["date_of_birth"],
                                                                           self.cols["phone"])
        return self._by_dob, self._by_phone

    def _folded_names(self) -> list[str]:
        """``Identity.folded`` of every row (kept current by writes once built)."""
        if self._folded is None:
            self._folded = _folded_of(self.cols["given_name"], self.cols["family_name"])
        return self._folded

    def _sounds(self) -> RowBuckets[str]:
        if self._by_sound is None:
            self._by_sound = _sounds_of(self.cols["given_name"], self.cols["family_name"])
        return self._by_sound


def _blocking_keys(born: Sequence[str], phones: Sequence[str]) -> tuple[RowBuckets[int], RowBuckets[str], range]:
    """Rows by ``dob_key``, rows by phone, and the years the dates span."""
    keys = [dob_key(text) for text in born]
    years = range(min(keys) // 10_000, max(keys) // 10_000 + 1) if keys else range(0)
    return RowBuckets.of(keys), RowBuckets.of(phones, skip=""), years  # no phone is no blocking key


def _folded_of(given_names: Sequence[str], family_names: Sequence[str]) -> list[str]:
    """``Identity.folded`` of every row (name words are folded once per distinct name part)."""
    # name_words splits on the space, so a name's words are its parts' words.
    words = {part: tuple(name_words(part)) for part in {*given_names, *family_names}}
    return [" ".join(words[given] + words[family]) for given, family in zip(given_names, family_names, strict=True)]


def _sounds_of(given_names: Sequence[str], family_names: Sequence[str]) -> RowBuckets[str]:
    """Rows by the sound of their name: ``phonetic_key`` per distinct name part (a name's
    codes are its parts' codes), not per row."""
    sounds = {part: word_sounds(part) for part in {*given_names, *family_names}}
    return RowBuckets.of(_sound_key(tuple(sorted(sounds[given] + sounds[family])))
                         for given, family in zip(given_names, family_names, strict=True))


#: Index columns with few distinct values among many rows (names, birth dates, status): the
#: index keeps one string per distinct value, not one per row.
_REPEATING = frozenset({"given_name", "family_name", "date_of_birth", "status"})


def _shared(column: Iterable[str]) -> list[str]:
    """The column with equal cells as one string object (~20 MB less at 100,000 patients)."""
    cells = list(column)
    one: dict[str, str] = {}  # one object per distinct value: the one it maps to
    shared: list[str] = []
    for part in slices(cells):  # C-level passes a slice at a time: the GUI thread runs between
        one = {**dict(zip(part, part, strict=True)), **one}  # a value seen before keeps its object
        shared += map(one.__getitem__, part)
    return shared


def _spanning(years: range, year: int) -> range:
    """``years`` widened to take in ``year``."""
    if not years:
        return range(year, year + 1)
    return range(min(years.start, year), max(years.stop, year + 1))


def _sound_key(sounds: tuple[str, ...]) -> str:
    """A phonetic key as one string (metaphone codes hold no space): smaller than a tuple."""
    return " ".join(sounds)
