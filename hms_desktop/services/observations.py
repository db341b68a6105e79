"""Recording observations, the per-patient NEWS2 scale, the editable clinical ranges, and the
NEWS2 that the live monitor shows (latest manual set with live SpO2 / pulse laid over it)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from hms_desktop.domain.accounts import Permission
from hms_desktop.domain.clinical_ranges import ClinicalRange, range_errors, range_warnings
from hms_desktop.domain.news2 import News2Result
from hms_desktop.domain.observations import News2Scale, Observation
from hms_desktop.domain.timeline import TimelineEntry
from hms_desktop.services.access_control import UNRESTRICTED, AccessControl, requires
from hms_desktop.services.bus import Change, EventBus
from hms_desktop.services.care_rows import (
    Unreadable,
    all_readable,
    check_not_future,
)
from hms_desktop.services.observation_sets import PatientSets, read_sets
from hms_desktop.storage import Store
from hms_desktop.storage.care import CLINICAL_RANGES, NEWS2_SCALES, OBSERVATIONS, seed_defaults
from hms_desktop.storage.table import Table

CACHED_PATIENTS = 64


class ObservationService:
    access: AccessControl = UNRESTRICTED  # the session's signed-in user

    def __init__(self, store: Store, bus: EventBus) -> None:
        self._bus = bus
        seed_defaults(store)
        self._store = store
        self._scales: Table[News2Scale] = store.table(NEWS2_SCALES)
        self._ranges: Table[ClinicalRange] = store.table(CLINICAL_RANGES)
        self._unreadable: dict[str, list[Unreadable]] = {}
        # The sets of recently opened patients, oldest first, with their NEWS2: the live
        # monitor asks every second for 16 beds and the record page reopens patients, and
        # a patient with years of sets should not cost a full read and scoring each time.
        # Only this service writes observations, so dropping a patient's entry after each
        # write keeps the cache true.
        self._cache: OrderedDict[str, PatientSets] = OrderedDict()
        self._cache_lock = threading.Lock()

    @property
    def _table(self) -> Table[Observation]:
        """Loaded on first use, not at start-up (``services/session.py::load_deferred``)."""
        return self._store.table(OBSERVATIONS)

    # -- observations -------------------------------------------------------------------
    @requires(Permission.RECORD_OBSERVATIONS, "record observations")
    def record(self, obs: Observation) -> Observation:
        """Save one set; the SpO2 scale in force for the patient is stored with it."""
        check_not_future(obs.at, "observation set")
        saved = self._table.insert(self._with_scale(obs))
        self._forget(saved.patient_id)
        self._bus.publish(Change(table=OBSERVATIONS.name, ids=(saved.id,), op="insert"))
        return saved

    @requires(Permission.RECORD_OBSERVATIONS, "record observations")
    def record_many(self, batch: Sequence[Observation]) -> list[Observation]:
        """One fsync for many sets (demo data, imports)."""
        saved = self._table.insert_many([self._with_scale(o) for o in batch])
        for pid in {o.patient_id for o in saved}:
            self._forget(pid)
        if saved:
            self._bus.publish(Change(table=OBSERVATIONS.name, ids=tuple(o.id for o in saved),
                                     op="insert"))
        return saved

    def _forget(self, patient_id: str) -> None:
        with self._cache_lock:
            self._cache.pop(patient_id, None)

    def _entry(self, patient_id: str) -> PatientSets:
        with self._cache_lock:  # held while reading: a write's invalidation waits for us
            entry = self._cache.get(patient_id)
            if entry is None:
                entry = read_sets(self._table, patient_id)
                self._unreadable[patient_id] = entry.unreadable
                self._cache[patient_id] = entry
                if len(self._cache) > CACHED_PATIENTS:
                    self._cache.popitem(last=False)
            else:
                self._cache.move_to_end(patient_id)
            return entry

    def latest_complete_for(self, patient_id: str) -> Observation | None:
        """The most recent complete set (the one NEWS2 is scored from)."""
        return self._entry(patient_id).latest_complete

    @requires(Permission.VIEW_RECORD, "read observations")
    def sets_for(self, patient_id: str) -> PatientSets:
        """The patient's sets, oldest first, with NEWS2 aggregates by column and a model per
        set built when asked for (``observation_sets.py``): what a long list shows."""
        return self._entry(patient_id)

    def _with_scale(self, obs: Observation) -> Observation:
        return obs.model_copy(update={"spo2_scale": 2 if self.is_scale2(obs.patient_id) else 1})

    def unreadable_for(self, patient_id: str) -> list[Unreadable]:
        """Rows of this patient that failed validation at the last read (shown, not hidden)."""
        return list(self._unreadable.get(patient_id, []))

    @requires(Permission.VIEW_RECORD, "read observations")
    def list_for(self, patient_id: str) -> list[Observation]:
        """The patient's sets, oldest first."""
        return self._entry(patient_id).sets

    def latest_for(self, patient_id: str) -> Observation | None:
        """The most recent set (complete or not), or None; cheap enough to ask every second."""
        return self._entry(patient_id).latest

    @requires(Permission.VIEW_RECORD, "read observations")
    def history(self, obs_id: str) -> list[Any]:
        return self._table.history(obs_id)

    def news2_for(self, patient_id: str, *, live_spo2: int | None = None,
                  live_pulse: int | None = None,
                  sets: Sequence[Observation] | None = None) -> News2Result | None:
        """NEWS2 from the latest complete set, on the patient's current scale.

        The live monitor passes the oximeter's SpO2 and pulse: they replace the manual
        values (the other five parameters only come from a nurse). None when the patient
        has no complete set. ``sets``: the patient's sets when the caller has just read
        them (the record page), to save a second read.
        """
        if sets is None:
            latest = self.latest_complete_for(patient_id)
        else:
            complete = [o for o in sets if o.is_complete()]
            latest = max(complete, key=lambda o: o.at) if complete else None
        if latest is None:
            return None
        update: dict[str, Any] = {"spo2_scale": 2 if self.is_scale2(patient_id) else 1}
        if live_spo2 is not None:
            update["spo2"] = live_spo2
        if live_pulse is not None:
            update["pulse"] = live_pulse
        return latest.model_copy(update=update).news2()

    def warnings_for(self, obs: Observation) -> list[str]:
        """Out-of-range values of this set, judged by the clinic's editable ranges."""
        return range_warnings(obs.measurements(), self.ranges())

    # -- NEWS2 scale ----------------------------------------------------------------------
    def is_scale2(self, patient_id: str) -> bool:
        flag = self._scales.get(patient_id)
        return bool(flag and flag.scale2)

    @requires(Permission.RECORD_OBSERVATIONS, "change the SpO2 scale")
    def set_scale2(self, patient_id: str, scale2: bool, *, reason: str = "", set_by: str = "") -> News2Scale:
        """A clinician's choice of SpO2 scale 2 (hypercapnic respiratory failure)."""
        if scale2 and not reason.strip():
            raise ValueError("reason: say why scale 2 is used (e.g. confirmed hypercapnic "
                             "respiratory failure)")
        record = News2Scale(id=patient_id, scale2=scale2, reason=reason.strip(), set_by=set_by)
        if patient_id in self._scales:
            saved = self._scales.update(patient_id, record)
            op = "update"
        else:
            saved = self._scales.insert(record)
            op = "insert"
        self._bus.publish(Change(table=NEWS2_SCALES.name, ids=(patient_id,), op=op))
        return saved

    # -- clinical ranges ------------------------------------------------------------------
    def ranges(self) -> list[ClinicalRange]:
        return all_readable(self._ranges)[0]

    def update_range(self, rng: ClinicalRange) -> ClinicalRange:
        """Change one warning range; refused (ValueError) outside the physiological limits."""
        errors = range_errors(rng)
        if errors:
            raise ValueError("; ".join(errors))
        if rng.id not in self._ranges:
            raise ValueError(f"unknown parameter '{rng.id}'")
        saved = self._ranges.update(rng.id, rng)
        self._bus.publish(Change(table=CLINICAL_RANGES.name, ids=(rng.id,), op="update"))
        return saved


def _summary(o: Observation) -> str:
    parts = [
        f"RR {o.respiration_rate}" if o.respiration_rate is not None else "",
        f"SpO2 {o.spo2}%" + ("" if o.on_oxygen is None else " on O2" if o.on_oxygen else " air")
        if o.spo2 is not None else "",
        f"BP {o.systolic}/{o.diastolic if o.diastolic is not None else '–'}"
        if o.systolic is not None else "",
        f"pulse {o.pulse}" if o.pulse is not None else "",
        o.consciousness.value if o.consciousness else "",
        f"{o.temperature:g} °C" if o.temperature is not None else "",
        f"glucose {o.glucose_mmol_l:g}" if o.glucose_mmol_l is not None else "",
        f"{o.weight_kg:g} kg" if o.weight_kg is not None else "",
    ]
    return ", ".join(p for p in parts if p)


def observations_timeline(services: Any, patient_id: str) -> list[TimelineEntry]:
    """Each set of observations, titled with its NEWS2 when complete."""
    out = []
    for o in services.observations.list_for(patient_id):
        result = o.news2()
        title = (f"NEWS2 {result.aggregate} ({result.risk.value})" if result is not None
                 else "Observations (incomplete set)")
        out.append(TimelineEntry(at=o.at, kind="Observations", title=title, detail=_summary(o),
                                 table=OBSERVATIONS.name, record_id=o.id))
    return out
