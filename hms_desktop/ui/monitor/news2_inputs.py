"""Where the live NEWS2 gets the nurse's latest manual observation from.

feat/care provides ``ObservationService.latest_for(patient_id)`` returning an ``Observation``
(respiration_rate, systolic, temperature, consciousness, on_oxygen, spo2, pulse, at).
This adapter reads those fields by name so the monitor does not depend on the care
package being present: without it, live NEWS2 scores SpO2 and pulse and names the rest missing.
"""

from __future__ import annotations

from typing import Any

from hms_desktop.domain.live_news2 import ManualObservation
from hms_desktop.ui.monitor.controller import ManualLookup


def manual_from_observation(obs: Any) -> ManualObservation | None:
    if obs is None:
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
    )


def manual_lookup_for(services: Any) -> ManualLookup:
    """A lookup over ``services.observations`` when the care service exists, else 'nothing recorded'."""
    observations = getattr(services, "observations", None)
    latest_for = getattr(observations, "latest_for", None)
    if latest_for is None:
        return lambda _patient_id: None
    return lambda patient_id: manual_from_observation(latest_for(patient_id))
