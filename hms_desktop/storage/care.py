"""Table declarations for care data (observations, chronic programme, referrals, wearables).

Clinical ranges and departments are editable tables in the data folder, seeded with the
defaults the first time they are opened empty (``seed_defaults``), so a clinic edits them
in the app or in a spreadsheet and never in code.
"""

from __future__ import annotations

from hms_desktop.domain.chronic import ChronicReading, Enrolment
from hms_desktop.domain.clinical_ranges import DEFAULT_RANGES, ClinicalRange
from hms_desktop.domain.observations import News2Scale, Observation
from hms_desktop.domain.referrals import DEFAULT_DEPARTMENTS, Department, Referral
from hms_desktop.domain.wearables import WearableReading
from hms_desktop.storage import Store, TableSpec

OBSERVATIONS = TableSpec(name="observations", model=Observation, id_prefix="OBS", schema_version=1)
NEWS2_SCALES = TableSpec(name="news2_scales", model=News2Scale, id_prefix=None, schema_version=1)
CLINICAL_RANGES = TableSpec(name="clinical_ranges", model=ClinicalRange, id_prefix=None,
                            schema_version=1)
ENROLMENTS = TableSpec(name="chronic_enrolments", model=Enrolment, id_prefix="CHR",
                       schema_version=1)
CHRONIC_READINGS = TableSpec(name="chronic_readings", model=ChronicReading, id_prefix="CRD",
                             schema_version=1)
DEPARTMENTS = TableSpec(name="departments", model=Department, id_prefix="DEP", schema_version=1)
REFERRALS = TableSpec(name="referrals", model=Referral, id_prefix="REF", schema_version=1)
WEARABLES_LOG = "wearables"  # day files data/wearables/YYYY-MM-DD.csv
DAY_LOGS = {WEARABLES_LOG: WearableReading}  # so ``check`` validates them (and their index)


def seed_defaults(store: Store) -> None:
    """Fill the editable reference tables on first use; never touches a table with rows."""
    if store.read_only:
        return
    ranges = store.table(CLINICAL_RANGES)
    if len(ranges) == 0:
        ranges.insert_many(list(DEFAULT_RANGES))
    departments = store.table(DEPARTMENTS)
    if len(departments) == 0:
        departments.insert_many([Department(name=name) for name in DEFAULT_DEPARTMENTS])
