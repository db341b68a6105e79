"""Every service of the application, built once by the composition root (and by tests)."""

from __future__ import annotations

from dataclasses import dataclass

from hms_desktop.storage import Store

from .bus import EventBus
from .chronic import ChronicService
from .monitoring import MonitoringService
from .observations import ObservationService
from .patients import PatientService
from .record import RecordService
from .referrals import ReferralService
from .scheduling import SchedulingService
from .wearables import WearableService


@dataclass
class Services:
    """Feature services are added as fields here by each feature (one line each)."""

    store: Store
    bus: EventBus
    patients: PatientService
    record: RecordService
    observations: ObservationService
    chronic: ChronicService
    referrals: ReferralService
    wearables: WearableService
    scheduling: SchedulingService
    monitoring: MonitoringService


def build_services(store: Store, bus: EventBus | None = None) -> Services:
    bus = bus or EventBus()
    return Services(
        store=store, bus=bus, patients=PatientService(store, bus),
        record=RecordService(store, bus),
        observations=ObservationService(store, bus),
        chronic=ChronicService(store, bus),
        referrals=ReferralService(store, bus),
        wearables=WearableService(store, bus),
        scheduling=SchedulingService(store, bus),
        monitoring=MonitoringService(store, bus),
    )
