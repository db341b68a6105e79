"""How the station names the patient on a bed: ``services.patients.display_name``.

The patient search index is built on first use (about a second at 100,000 patients); the
station must not build it on the GUI thread, so until it exists the name comes from the
patients table row (a dictionary look-up).
"""

from __future__ import annotations

from typing import Any

from hms_desktop.monitoring.bed_monitor import BedMonitor
from hms_desktop.monitoring.station import NameLookup

#: What a bed shows for its patient while the main window is locked (docs/security.md).
HIDDEN_PATIENT = "patient hidden (screen locked)"


def shown_patient(monitor: BedMonitor, *, hidden: bool) -> str:
    """``monitor.patient_text``, or ``HIDDEN_PATIENT`` for a monitored patient while locked."""
    return HIDDEN_PATIENT if hidden and monitor.patient_id else monitor.patient_text


def patient_name_lookup(services: Any) -> NameLookup:
    """"Given Family" for a patient id, or the id itself when unknown or without a patient service."""
    patients = getattr(services, "patients", None)
    if patients is None:
        return lambda patient_id: patient_id

    def lookup(patient_id: str) -> str:
        if getattr(patients, "index_ready", True):
            return str(patients.display_name(patient_id))
        patient = patients.get(patient_id)
        return patient_id if patient is None else f"{patient.given_name} {patient.family_name}"

    return lookup
