"""What a change is about: the topics a view listens for, defined beside the services that
publish them, so the UI never imports storage table names.

A topic's value is the name the services put in ``Change.table`` (the table or day log that
changed), so a view compares ``change.table`` with a topic, or tests membership in a group.
"""

from __future__ import annotations

from typing import Final, NewType

from hms_desktop.storage import care as _care
from hms_desktop.storage import patients as _patients
from hms_desktop.storage import record as _record
from hms_desktop.storage import scheduling as _scheduling

Topic = NewType("Topic", str)

PATIENTS: Final = Topic(_patients.PATIENTS.name)
RECENT_PATIENTS: Final = Topic(_patients.RECENT_PATIENTS.name)
"""Which patients were opened lately (the patient list puts them first)."""
ALLERGIES: Final = Topic(_record.ALLERGIES.name)
ALLERGY_STATEMENTS: Final = Topic(_record.ALLERGY_STATEMENTS.name)
OBSERVATIONS: Final = Topic(_care.OBSERVATIONS.name)
NEWS2_SCALES: Final = Topic(_care.NEWS2_SCALES.name)
CLINICAL_RANGES: Final = Topic(_care.CLINICAL_RANGES.name)
ENROLMENTS: Final = Topic(_care.ENROLMENTS.name)
CHRONIC_READINGS: Final = Topic(_care.CHRONIC_READINGS.name)
DEPARTMENTS: Final = Topic(_care.DEPARTMENTS.name)
REFERRALS: Final = Topic(_care.REFERRALS.name)
WEARABLES: Final = Topic(_care.WEARABLES_LOG)
SCHEDULE: Final = frozenset(Topic(spec.name) for spec in _scheduling.SCHEDULE_TABLES)
"""Providers, availability, exceptions, rooms, appointments and series."""
