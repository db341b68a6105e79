"""Patient choice for booking, behind one small swappable function.

When feat/patients' ``PatientPicker(ctx)`` (signal ``sig_patient_chosen(str)``) is on
main it is used; until then a plain line edit takes a patient ID, checked for its form and,
where the patients table is available, for existence.
"""

from __future__ import annotations

import re
from importlib import import_module
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QWidget

PATIENT_ID = re.compile(r"^PAT\d{6,}$")


def patient_problem(ctx: Any, patient_id: str) -> str:
    """Why ``patient_id`` cannot be booked ('' when it can)."""
    if not PATIENT_ID.match(patient_id):
        return "patient ID must look like PAT000123"
    table = _patients_table(ctx)
    if table is not None and patient_id not in table:
        return f"patient {patient_id} does not exist"
    return ""


def _patients_table(ctx: Any) -> Any:
    """The patients table when feat/patients has declared it, else None (format check only)."""
    try:
        spec = import_module("hms_desktop.storage.patients").PATIENTS
    except (ImportError, AttributeError):
        return None
    return ctx.store.table(spec)


class PatientField(QWidget):
    """The line-edit fallback; exposes the same signal as the Patients tab's picker."""

    sig_patient_chosen = Signal(str)
    """A patient ID was entered (or picked)."""

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("schedule_patient_field")
        self.setAccessibleName("Patient")
        self.edit = QLineEdit(self)
        self.edit.setObjectName("schedule_patient_id")
        self.edit.setAccessibleName("Patient ID")
        self.edit.setPlaceholderText("PAT000123")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        self.edit.textChanged.connect(lambda text: self.sig_patient_chosen.emit(text.strip().upper()))

    def patient_id(self) -> str:
        return self.edit.text().strip().upper()

    def set_patient_id(self, patient_id: str) -> None:
        self.edit.setText(patient_id)


def make_patient_chooser(ctx: Any, parent: QWidget | None = None) -> QWidget:
    """The one place that picks the patient widget (swap here when the picker lands)."""
    try:
        picker_cls = import_module("hms_desktop.ui.patients.picker").PatientPicker
    except (ImportError, AttributeError):
        return PatientField(ctx, parent)
    return picker_cls(ctx)  # type: ignore[no-any-return]


def patient_labels(ctx: Any, patient_ids: set[str]) -> dict[str, tuple[str, str]]:
    """patient id -> (display name, first name); the id itself where no name is known."""
    table = _patients_table(ctx)
    out: dict[str, tuple[str, str]] = {}
    for pid in patient_ids:
        record = table.get(pid) if table is not None else None
        first = next((str(getattr(record, f)) for f in ("given_name", "first_name", "given_names")
                      if getattr(record, f, "")), "") if record is not None else ""
        family = str(getattr(record, "family_name", "") or "") if record is not None else ""
        full = f"{first} {family}".strip()
        out[pid] = (full or pid, first.split(" ")[0] if first else pid)
    return out
