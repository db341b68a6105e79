"""Table declarations for scheduling: one CSV table per model, ids never reused."""

from __future__ import annotations

from hms_desktop.domain.scheduling import (
    Appointment,
    Availability,
    AvailabilityException,
    Provider,
    Room,
    Series,
)
from hms_desktop.storage import TableSpec

PROVIDERS = TableSpec(name="providers", model=Provider, id_prefix="DOC", schema_version=1)
AVAILABILITY = TableSpec(name="availability", model=Availability, id_prefix="AVL", schema_version=1)
EXCEPTIONS = TableSpec(name="availability_exceptions", model=AvailabilityException,
                       id_prefix="AVX", schema_version=1)
ROOMS = TableSpec(name="rooms", model=Room, id_prefix="ROM", schema_version=1)
APPOINTMENTS = TableSpec(name="appointments", model=Appointment, id_prefix="APT", schema_version=1)
SERIES = TableSpec(name="appointment_series", model=Series, id_prefix="SER", schema_version=1)

SCHEDULE_TABLES = (PROVIDERS, AVAILABILITY, EXCEPTIONS, ROOMS, APPOINTMENTS, SERIES)
