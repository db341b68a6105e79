"""Recording observations, the per-patient NEWS2 scale, the editable clinical ranges, and the
NEWS2 that the live monitor shows (latest manual set with live SpO2 / pulse laid over it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hms_desktop.domain.clinical_ranges import ClinicalRange, range_errors, range_warnings
from hms_desktop.domain.news2 import News2Result
from hms_desktop.domain.observations import News2Scale, Observation
from hms_desktop.services.bus import Change, EventBus
from hms_desktop.services.care_rows import Unreadable, all_readable, where_readable
from hms_desktop.storage import Store
from hms_desktop.storage.care import CLINICAL_RANGES, NEWS2_SCALES, OBSERVATIONS, seed_defaults


class ObservationService:
    def __init__(self, store: Store, bus: EventBus) -> None:
        self._bus = bus
        seed_defaults(store)
        self._table = store.table(OBSERVATIONS)
        self._scales = store.table(NEWS2_SCALES)
        self._ranges = store.table(CLINICAL_RANGES)
        self._unreadable: dict[str, list[Unreadable]] = {}

    # -- observations -------------------------------------------------------------------
    def record(self, obs: Observation, *, initiator: Any = None) -> Observation:
        """Save one set; the SpO2 scale in force for the patient is stored with it."""
        saved = self._table.insert(self._with_scale(obs))
        self._bus.publish(Change(table=OBSERVATIONS.name, ids=(saved.id,), op="insert",
                                 initiator=initiator))
        return saved

    def record_many(self, batch: Sequence[Observation], *, initiator: Any = None) -> list[Observation]:
        """One fsync for many sets (demo data, imports)."""
        saved = self._table.insert_many([self._with_scale(o) for o in batch])
        if saved:
            self._bus.publish(Change(table=OBSERVATIONS.name, ids=tuple(o.id for o in saved),
                                     op="insert", initiator=initiator))
        return saved

    def _with_scale(self, obs: Observation) -> Observation:
        return obs.model_copy(update={"spo2_scale": 2 if self.is_scale2(obs.patient_id) else 1})

    def _sets(self, patient_id: str) -> list[Observation]:
        sets, bad = where_readable(self._table, "patient_id", patient_id)
        self._unreadable[patient_id] = bad
        return sets

    def unreadable_for(self, patient_id: str) -> list[Unreadable]:
        """Rows of this patient that failed validation at the last read (shown, not hidden)."""
        return list(self._unreadable.get(patient_id, []))

    def list_for(self, patient_id: str) -> list[Observation]:
        """The patient's sets, oldest first."""
        return sorted(self._sets(patient_id), key=lambda o: o.at)

    def latest_for(self, patient_id: str) -> Observation | None:
        """The most recent set (complete or not), or None."""
        sets = self._sets(patient_id)
        return max(sets, key=lambda o: o.at) if sets else None

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
        found = self._sets(patient_id) if sets is None else sets
        complete = [o for o in found if o.is_complete()]
        if not complete:
            return None
        latest = max(complete, key=lambda o: o.at)
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

    def set_scale2(self, patient_id: str, scale2: bool, *, reason: str = "", set_by: str = "",
                   initiator: Any = None) -> News2Scale:
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
        self._bus.publish(Change(table=NEWS2_SCALES.name, ids=(patient_id,), op=op,
                                 initiator=initiator))
        return saved

    # -- clinical ranges ------------------------------------------------------------------
    def ranges(self) -> list[ClinicalRange]:
        return all_readable(self._ranges)[0]

    def update_range(self, rng: ClinicalRange, *, initiator: Any = None) -> ClinicalRange:
        """Change one warning range; refused (ValueError) outside the physiological limits."""
        errors = range_errors(rng)
        if errors:
            raise ValueError("; ".join(errors))
        if rng.id not in self._ranges:
            raise ValueError(f"unknown parameter '{rng.id}'")
        saved = self._ranges.update(rng.id, rng)
        self._bus.publish(Change(table=CLINICAL_RANGES.name, ids=(rng.id,), op="update",
                                 initiator=initiator))
        return saved
