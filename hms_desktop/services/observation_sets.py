"""One patient's observation sets, oldest first: checked and scored column by column,
with a model built only for the rows someone looks at.

A patient with years of sets has thousands of them; building a pydantic model per set and
scoring each in Python made the first opening of the Observations page cost 300 ms. Here:

* the cells of the patient's rows are read as columns (``Table.columns_where``) and each
  row passes a strict check of the form the app writes (ASCII digits, ``repr`` floats,
  ``true``/``false``, the consciousness values, ISO times in UTC) plus the model's own rules
  (the hard limits of ``domain/clinical_ranges.py``, diastolic below systolic, at least one
  value). A row in any other form takes the model's validation (``Table.get``): accepted
  there, or reported as unreadable with the model's message. The check only ever sends rows
  to the model; it never accepts what the model refuses (``tests/services``).
* NEWS2 aggregates come from tables of the domain's own sub-score functions
  (``domain/news2.py``) indexed by the values; the full ``News2Result`` of a row is the
  model's ``news2()``, built when the row is shown.

Patients with few sets take the plain model path: numpy's per-call cost is then larger
than the models'.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cache, cached_property
from typing import Any, overload

import numpy as np

from hms_desktop.domain.clinical_ranges import HARD_LIMITS
from hms_desktop.domain.news2 import (
    Consciousness,
    News2Result,
    score_air_or_oxygen,
    score_consciousness,
    score_pulse,
    score_respiration,
    score_spo2,
    score_systolic,
    score_temperature,
)
from hms_desktop.domain.observations import MEASUREMENTS, Observation
from hms_desktop.services.care_rows import Unreadable, each_readable, where_readable
from hms_desktop.storage.table import Table

COLUMNAR_FROM = 64  # sets; below this the per-row models are cheaper than numpy's overhead

_INTS = ("respiration_rate", "spo2", "systolic", "diastolic", "pulse")
_FLOATS = ("temperature", "glucose_mmol_l", "weight_kg")
_COLUMNS = ("at", *_INTS, *_FLOATS, "on_oxygen", "consciousness", "spo2_scale")
_LEVELS = {level.value: n for n, level in enumerate(Consciousness)}
_OXYGEN = {"": np.nan, "false": 0.0, "true": 1.0}


class PatientSets:
    """The sets of one patient, oldest first. ``aggregate`` is NaN for an incomplete set.

    The columns are computed when first asked for: the FHIR export and the monitor only want
    models (``sets``, ``latest``), and for a patient with a few sets the arrays would cost more
    than those models."""

    def __init__(self, ids: list[str], unreadable: list[Unreadable],
                 load: Callable[[str], Observation | None], models: dict[int, Observation],
                 columns: Callable[[], tuple[np.ndarray, np.ndarray, np.ndarray]]) -> None:
        self.ids = ids
        self.unreadable = unreadable
        self._load = load
        self._models = models
        self._columns = columns

    @cached_property
    def _computed(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self._columns()

    @property
    def epoch(self) -> np.ndarray:
        """Seconds since 1970, UTC."""
        return self._computed[0]

    @property
    def aggregate(self) -> np.ndarray:
        return self._computed[1]

    @property
    def complete(self) -> np.ndarray:
        return self._computed[2]

    def __len__(self) -> int:
        return len(self.ids)

    def model(self, i: int) -> Observation:
        found = self._models.get(i)
        if found is None:
            loaded = self._load(self.ids[i])
            assert loaded is not None, self.ids[i]  # sets are never deleted
            found = self._models[i] = loaded
        return found

    @property
    def sets(self) -> list[Observation]:
        return [self.model(i) for i in range(len(self.ids))]

    @property
    def latest(self) -> Observation | None:
        return self.model(len(self.ids) - 1) if self.ids else None

    @cached_property
    def latest_complete(self) -> Observation | None:
        """Asked every second per monitored bed: found once per read of the patient's sets."""
        if len(self._models) == len(self.ids):  # every model at hand: no arrays needed
            return next((o for o in reversed(self.sets) if o.is_complete()), None)
        done = np.flatnonzero(self.complete)
        return self.model(int(done[-1])) if len(done) else None

    def newest_first(self) -> NewestFirst:
        return NewestFirst(self)


class NewestFirst(Sequence[tuple[Observation, News2Result | None]]):
    """The sets newest first with their NEWS2, each built when first asked for (a table of
    5,000 sets shows thirty)."""

    def __init__(self, sets: PatientSets) -> None:
        self._sets = sets

    def __len__(self) -> int:
        return len(self._sets)

    @overload
    def __getitem__(self, i: int) -> tuple[Observation, News2Result | None]: ...
    @overload
    def __getitem__(self, i: slice) -> list[tuple[Observation, News2Result | None]]: ...

    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        obs = self._sets.model(len(self) - 1 - (i % len(self)))
        return obs, obs.news2()

    def ids(self) -> list[str]:
        return self._sets.ids[::-1]


def read_sets(table: Table[Observation], patient_id: str) -> PatientSets:
    ids, _ = table.columns_where("patient_id", patient_id, ())
    if len(ids) < COLUMNAR_FROM or not patient_id.strip():
        found, bad = where_readable(table, "patient_id", patient_id)
        return from_models(found, bad, table)
    ids, cells = table.columns_where("patient_id", patient_id, _COLUMNS)
    good, values = _checked(cells)
    slow = np.flatnonzero(~good)
    models: dict[str, Observation] = {}
    bad_rows: list[Unreadable] = []
    if len(slow):  # the model decides: valid after all, or unreadable with its reason
        found, bad_rows = each_readable(table, [ids[i] for i in slow])
        models = {o.id: o for o in found}
        for i in slow:
            model = models.get(ids[i])
            if model is not None:
                _fill(values, int(i), model)
    keep = good.copy()
    keep[slow] = [ids[i] in models for i in slow]
    kept = np.flatnonzero(keep)
    order = kept[np.argsort(values["epoch"][kept], kind="stable")]
    values = {name: column[order] for name, column in values.items()}
    complete = _complete(values)
    aggregate = _aggregates(values, complete)
    sorted_ids = [ids[i] for i in order]
    known = {n: models[record_id] for n, record_id in enumerate(sorted_ids) if record_id in models}
    return PatientSets(sorted_ids, bad_rows, table.get, known,
                       lambda: (values["epoch"], aggregate, complete))


def from_models(found: Sequence[Observation], bad: list[Unreadable],
                table: Table[Observation] | None = None) -> PatientSets:
    ordered = sorted(found, key=lambda o: o.at)

    def columns() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        values = _empty(len(ordered))
        for i, obs in enumerate(ordered):
            _fill(values, i, obs)
        complete = _complete(values)
        return values["epoch"], _aggregates(values, complete), complete

    return PatientSets([o.id for o in ordered], bad, table.get if table is not None else _no_loader,
                       dict(enumerate(ordered)), columns)


def _no_loader(record_id: str) -> Observation | None:
    raise KeyError(record_id)


# -- the strict check ------------------------------------------------------------------------
def _empty(n: int) -> dict[str, np.ndarray]:
    out = {name: np.full(n, np.nan) for name in (*MEASUREMENTS, "on_oxygen", "consciousness")}
    out["epoch"] = np.zeros(n)
    out["scale2"] = np.zeros(n, dtype=bool)
    return out


def _fill(values: dict[str, np.ndarray], i: int, obs: Observation) -> None:
    for name in MEASUREMENTS:
        value = getattr(obs, name)
        values[name][i] = np.nan if value is None else float(value)
    values["on_oxygen"][i] = np.nan if obs.on_oxygen is None else float(obs.on_oxygen)
    values["consciousness"][i] = np.nan if obs.consciousness is None else _LEVELS[obs.consciousness.value]
    values["epoch"][i] = obs.at.timestamp()
    values["scale2"][i] = obs.spo2_scale == 2


#: A whole column in the written form, checked in one C-level match over its cells joined by
#: newlines (a cell holds no newline then): ASCII digits, one point in a float, or empty.
_ALL_INTS = re.compile(r"[0-9]*(?:\n[0-9]*)*")
_ALL_FLOATS = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)?(?:\n(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)?)*")


def _numbers(cells: list[str], *, integer: bool) -> tuple[np.ndarray, np.ndarray]:
    """(values, well-formed): "" is NaN; only plain ASCII digits (and one point for floats)
    count as well formed, the text ``encode_value`` writes."""
    if (_ALL_INTS if integer else _ALL_FLOATS).fullmatch("\n".join(cells)):  # the usual case
        ok = np.ones(len(cells), dtype=bool)  # the pattern admits ASCII digits only
    else:
        if integer:
            ok = np.fromiter((c.isdigit() or not c for c in cells), dtype=bool, count=len(cells))
        else:
            ok = np.fromiter((c.replace(".", "", 1).isdigit() or not c for c in cells), dtype=bool,
                             count=len(cells))
        if not "".join(cells).isascii():  # str.isdigit() also says yes to other scripts' digits
            ok &= np.fromiter((c.isascii() for c in cells), dtype=bool, count=len(cells))
    text = np.array(cells, dtype=object)
    text[~ok | (text == "")] = "nan"
    return text.astype(np.float64), ok


#: Times as ``encode_value`` writes them for UTC, with or without microseconds (year 0, which
#: numpy would take and Python does not, left to the cell-by-cell check).
_ALL_UTC = re.compile(r"(?!0000)[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{6})?\+00:00"
                      r"(?:\n(?!0000)[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{6})?\+00:00)*")


def _times(cells: list[str]) -> tuple[np.ndarray, np.ndarray]:
    if cells and _ALL_UTC.fullmatch("\n".join(cells)):  # the usual case: numpy parses them in C
        try:
            micros = np.array([c[:-6] for c in cells], dtype="datetime64[us]").astype(np.int64)
        except ValueError:  # a date that does not exist (30 February): cell by cell below
            pass
        else:
            return micros / 1e6, np.ones(len(cells), dtype=bool)
    ok = np.fromiter((len(c) in (25, 32) and c[10] == "T" and c.endswith("+00:00") and c.isascii()
                      for c in cells), dtype=bool, count=len(cells))
    epoch = np.zeros(len(cells))
    for i in np.flatnonzero(ok):
        try:
            epoch[i] = datetime.fromisoformat(cells[i]).timestamp()
        except ValueError:
            ok[i] = False
    return epoch, ok


def _checked(cells: dict[str, list[str]]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Per row: in the written form and within the model's rules; and the parsed values."""
    values: dict[str, np.ndarray] = {}
    values["epoch"], good = _times(cells["at"])
    for names, integer in ((_INTS, True), (_FLOATS, False)):
        for name in names:
            values[name], ok = _numbers(cells[name], integer=integer)
            good &= ok
    oxygen = cells["on_oxygen"]
    values["on_oxygen"] = np.array([_OXYGEN.get(c, np.nan) for c in oxygen])
    good &= np.fromiter((c in _OXYGEN for c in oxygen), dtype=bool, count=len(oxygen))
    level = cells["consciousness"]
    values["consciousness"] = np.array([_LEVELS.get(c, np.nan) for c in level], dtype=np.float64)
    good &= np.fromiter((c in _LEVELS or not c for c in level), dtype=bool, count=len(level))
    scale = cells["spo2_scale"]
    values["scale2"] = np.array([c == "2" for c in scale], dtype=bool)
    good &= np.fromiter((c in ("1", "2") for c in scale), dtype=bool, count=len(scale))
    # The model's own rules (Observation._within_hard_limits): outside them, the model decides.
    given = np.zeros(len(good), dtype=bool)
    for name in MEASUREMENTS:
        column = values[name]
        present = ~np.isnan(column)
        given |= present
        limit = HARD_LIMITS[name]
        good &= ~present | ((column >= limit.low) & (column <= limit.high))
    good &= given | ~np.isnan(values["consciousness"])
    both = ~np.isnan(values["systolic"]) & ~np.isnan(values["diastolic"])
    good &= ~both | (values["diastolic"] < values["systolic"])
    return good, values


# -- NEWS2 -------------------------------------------------------------------------------------
_NEWS2_INPUTS = ("respiration_rate", "spo2", "on_oxygen", "systolic", "pulse", "consciousness",
                 "temperature")


def _complete(values: dict[str, np.ndarray]) -> np.ndarray:
    """Observation.is_complete, by column."""
    done = np.ones(len(values["epoch"]), dtype=bool)
    for name in _NEWS2_INPUTS:
        done &= ~np.isnan(values[name])
    return done


@cache
def _table(score: Callable[[int], int], high: int) -> np.ndarray:
    """The domain's sub-score for every whole value from 0 to ``high`` (the hard limit)."""
    return np.array([score(v) for v in range(high + 1)], dtype=np.int64)


def _spo2_score(scale2: bool, on_oxygen: bool) -> Callable[[int], int]:
    return lambda v: score_spo2(v, on_oxygen=on_oxygen, scale2=scale2)


@cache
def _spo2_table(scale2: bool, on_oxygen: bool) -> np.ndarray:
    return _table(_spo2_score(scale2, on_oxygen), int(HARD_LIMITS["spo2"].high))


def _aggregates(values: dict[str, np.ndarray], complete: np.ndarray) -> np.ndarray:
    """NEWS2 aggregate of each complete set (NaN otherwise), from the domain's functions."""
    out = np.full(len(complete), np.nan)
    rows = np.flatnonzero(complete)
    if not len(rows):
        return out

    def whole(name: str) -> np.ndarray:
        return values[name][rows].astype(np.int64)

    oxygen = values["on_oxygen"][rows] == 1
    scale2 = values["scale2"][rows]
    spo2 = whole("spo2")
    spo2_points = np.zeros(len(rows), dtype=np.int64)
    for s2 in (False, True):
        for o2 in (False, True):
            pick = (scale2 == s2) & (oxygen == o2)
            spo2_points[pick] = _spo2_table(s2, o2)[spo2[pick]]
    temperatures = values["temperature"][rows]
    distinct, where = np.unique(temperatures, return_inverse=True)
    temperature_points = np.array([score_temperature(float(t)) for t in distinct], dtype=np.int64)[where]
    levels = list(Consciousness)
    consciousness_points = np.array([score_consciousness(level) for level in levels],
                                    dtype=np.int64)[whole("consciousness")]
    parts = np.stack([
        _table(score_respiration, int(HARD_LIMITS["respiration_rate"].high))[whole("respiration_rate")],
        spo2_points,
        np.where(oxygen, score_air_or_oxygen(True), score_air_or_oxygen(False)),
        _table(score_systolic, int(HARD_LIMITS["systolic"].high))[whole("systolic")],
        _table(score_pulse, int(HARD_LIMITS["pulse"].high))[whole("pulse")],
        consciousness_points, temperature_points])
    out[rows] = parts.sum(axis=0)
    return out

