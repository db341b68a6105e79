"""Where the live NEWS2 gets the nurse's latest manual observation from.

``ObservationService.latest_for(patient_id)`` returns an ``Observation`` (respiration_rate,
systolic, temperature, consciousness, on_oxygen, spo2, pulse, at) and ``is_scale2`` the
patient's SpO2 scale. Without an observation service (a monitor-only build), live NEWS2
scores SpO2 and pulse and names the rest missing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hms_desktop.domain.live_news2 import ManualObservation
from hms_desktop.ui.monitor.controller import ManualLookup

_NEVER = datetime.min.replace(tzinfo=UTC)  # "no observation": only the scale is known


def manual_from_observation(obs: Any, *, scale2: bool = False) -> ManualObservation | None:
    if obs is None:
        # No manual set yet, but a clinician may have put the patient on SpO2 scale 2:
        # the live SpO2 must be scored on that scale (88-92 % scores 0, not 3).
        return ManualObservation(at=_NEVER, scale2=True) if scale2 else None
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
    )


def manual_lookup_for(services: Any) -> ManualLookup:
    """A lookup over ``services.observations`` when the care service exists, else 'nothing recorded'."""
    observations = getattr(services, "observations", None)
    latest_for = getattr(observations, "latest_for", None)
    if latest_for is None:
        return lambda _patient_id: None
    is_scale2 = getattr(observations, "is_scale2", lambda _pid: False)
    return lambda patient_id: manual_from_observation(latest_for(patient_id), scale2=is_scale2(patient_id))
