"""``estimated_birth_dates.csv``: imported dates of birth waiting for confirmation."""

from __future__ import annotations

from hms_desktop.domain.birth_date_estimates import EstimatedBirthDate
from hms_desktop.storage import TableSpec

ESTIMATED_BIRTH_DATES = TableSpec(name="estimated_birth_dates", model=EstimatedBirthDate,
                                  id_prefix=None, schema_version=1)
