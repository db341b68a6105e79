"""Patient choice for booking: the Patients tab's PatientPicker, behind one small function.

The booking rules themselves (patient exists, not merged, not deceased) live in the
scheduling service, so every way of booking applies them, not just this dialog.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from hms_desktop.ui.patients.picker import PatientPicker

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext


def make_patient_chooser(ctx: AppContext, parent: QWidget | None = None) -> PatientPicker:
    """The one place that picks the patient widget (search by name, ID, phone, birth date)."""
    picker = PatientPicker(ctx, parent, accessible_name="Patient")
    return picker


def chosen_patient(picker: PatientPicker) -> str:
    return picker.chosen_id


def patient_labels(ctx: AppContext, patient_ids: set[str]) -> dict[str, tuple[str, str]]:
    """patient id -> (display name, first name); the id itself where no name is known."""
    service = ctx.services.patients
    out: dict[str, tuple[str, str]] = {}
    for pid in patient_ids:
        full = service.display_name(pid) if service is not None else pid
        out[pid] = (full, full.split(" ")[0] if full != pid else pid)
    return out
