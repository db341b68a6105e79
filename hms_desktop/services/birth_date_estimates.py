"""Estimated dates of birth (from imported ages): flag on import, list, confirm."""

from __future__ import annotations

from collections.abc import Sequence

from hms_desktop.domain.birth_date_estimates import EstimatedBirthDate, EstimateStatus
from hms_desktop.storage import Store
from hms_desktop.storage.birth_date_estimates import ESTIMATED_BIRTH_DATES

from .bus import Change, EventBus


class BirthDateEstimateService:
    def __init__(self, store: Store, bus: EventBus) -> None:
        self._bus = bus
        self._table = store.table(ESTIMATED_BIRTH_DATES)

    def flag_many(self, rows: Sequence[EstimatedBirthDate]) -> None:
        """One fsync for the batch (an import flags every patient it estimated)."""
        if rows:
            self._table.insert_many(list(rows))
            self._bus.publish(Change(table=ESTIMATED_BIRTH_DATES.name,
                                     ids=tuple(r.id for r in rows), op="insert"))

    def to_confirm(self) -> list[EstimatedBirthDate]:
        return [r for r in self._table.all() if r.status is EstimateStatus.TO_CONFIRM]

    def is_estimated(self, patient_id: str) -> bool:
        row = self._table.get(patient_id)
        return row is not None and row.status is EstimateStatus.TO_CONFIRM

    def confirm(self, patient_id: str) -> EstimatedBirthDate:
        """Somebody checked the real date with the patient (the form saves the date itself)."""
        saved: EstimatedBirthDate = self._table.update(patient_id, {"status": EstimateStatus.CONFIRMED})
        self._bus.publish(Change(table=ESTIMATED_BIRTH_DATES.name, ids=(patient_id,), op="update"))
        return saved
