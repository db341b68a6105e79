"""Every service of the application, built once by the composition root (and by tests)."""

from __future__ import annotations

from dataclasses import dataclass

from hms_desktop.storage import Store

from .bus import EventBus
from .patients import PatientService


@dataclass
class Services:
    """Feature services are added as fields here by each feature (one line each)."""

    store: Store
    bus: EventBus
    patients: PatientService


def build_services(store: Store, bus: EventBus | None = None) -> Services:
    bus = bus or EventBus()
    return Services(store=store, bus=bus, patients=PatientService(store, bus))
