"""Every service of the application, built once by the composition root (and by tests)."""

from __future__ import annotations

from dataclasses import dataclass

from hms_desktop.storage import Store

from .access_control import AccessControl
from .accounts import AccountService
from .audit_log import AuditLogService
from .bus import EventBus
from .chronic import ChronicService
from .folder_tasks import FolderTasks
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
    accounts: AccountService
    folder: FolderTasks
    access: AccessControl
    audit: AuditLogService  # the audit viewer's queries (administrators)


def build_services(store: Store, bus: EventBus | None = None, *,
                   access: AccessControl | None = None) -> Services:
    """``access`` carries the signed-in user; without one the services act as ``system``."""
    bus = bus or EventBus()
    access = access or AccessControl(store)
    services = Services(
        store=store, bus=bus, patients=PatientService(store, bus),
        record=RecordService(store, bus),
        observations=ObservationService(store, bus),
        chronic=ChronicService(store, bus),
        referrals=ReferralService(store, bus),
        wearables=WearableService(store, bus),
        scheduling=SchedulingService(store, bus),
        monitoring=MonitoringService(store, bus),
        accounts=AccountService(store, bus),
        folder=FolderTasks(store),
        access=access, audit=AuditLogService(store),
    )
    for name in services.__dataclass_fields__:
        service = getattr(services, name)
        if isinstance(getattr(type(service), "access", None), AccessControl):
            service.access = access  # every guarded service checks the same signed-in user
    return services
