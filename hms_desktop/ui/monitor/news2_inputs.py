"""Where the live NEWS2 gets the nurse's latest manual observation from.

``ObservationService.latest_for(patient_id)`` returns an ``Observation`` (respiration_rate,
systolic, temperature, consciousness, on_oxygen, spo2, pulse, at) and ``is_scale2`` the
patient's SpO2 scale. Without an observation service (a monitor-only build), live NEWS2
scores SpO2 and pulse and names the rest missing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from hms_desktop.domain.live_news2 import ManualObservation
from hms_desktop.monitoring.station import ManualLookup

_NEVER = datetime.min.replace(tzinfo=UTC)  # "no observation": only the scale is known


def manual_from_observation(obs: Any, *, scale2: bool = False,
                            born: date | None = None) -> ManualObservation | None:
    if obs is None:
        # No manual set yet, but a clinician may have put the patient on SpO2 scale 2:
        # the live SpO2 must be scored on that scale (88-92 % scores 0, not 3); and a
        # child's NEWS2 does not apply whether or not anything was recorded.
        if scale2 or born is not None:
            return ManualObservation(at=_NEVER, scale2=scale2, born=born)
        return None
    consciousness = getattr(obs, "consciousness", None)
    return ManualObservation(
        at=obs.at,
        respiration_rate=getattr(obs, "respiration_rate", None),
        systolic_bp=getattr(obs, "systolic", getattr(obs, "systolic_bp", None)),
        temperature=getattr(obs, "temperature", None),
        consciousness=None if consciousness is None else str(getattr(consciousness, "value", consciousness)),
        on_oxygen=getattr(obs, "on_oxygen", None),
        spo2=getattr(obs, "spo2", None),
        pulse=getattr(obs, "pulse", None),
        scale2=scale2,
        born=born,
    )


def manual_lookup_for(services: Any) -> ManualLookup:
    """A lookup over ``services.observations`` when the care service exists, else 'nothing
    recorded'; the patient's date of birth from ``services.patients`` (NEWS2 is for adults)."""
    observations = getattr(services, "observations", None)
    latest_for = getattr(observations, "latest_for", lambda _pid: None)
    is_scale2 = getattr(observations, "is_scale2", lambda _pid: False)
    patients = getattr(services, "patients", None)

    def born(patient_id: str) -> date | None:
        patient = patients.get(patient_id) if patients is not None else None
        return getattr(patient, "date_of_birth", None)

    return lambda patient_id: manual_from_observation(latest_for(patient_id), scale2=is_scale2(patient_id),
                                                      born=born(patient_id))
