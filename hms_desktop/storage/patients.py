"""Where patients live on disk: ``patients.csv`` (+ journal) and ``recent_patients.csv``.

The search index is in ``patient_index.py``; it is built from this table's raw columns.
"""

from __future__ import annotations

from hms_desktop.domain.patient import Patient, RecentPatient

from .patient_index import INDEX_COLUMNS, PatientIndex
from .schema import TableSpec
from .table import Table

#: IDs PAT000001 ... (7+ digits after 999,999), allocated by the engine, never reused.
PATIENTS = TableSpec(name="patients", model=Patient, id_prefix="PAT", schema_version=1)
#: Recently opened patients, newest ``opened_at`` first; shown when the search box is empty.
RECENT_PATIENTS = TableSpec(name="recent_patients", model=RecentPatient, id_prefix=None,
                            schema_version=1)


def build_index(table: Table[Patient]) -> PatientIndex:
    """The search index over the table's current rows (raw cells: no model per row).

    The columns are cut from the rows in one pass under the table's lock (no pandas frame:
    half the time at 100,000 patients), so a row inserted meanwhile cannot misalign them.
    """
    return PatientIndex(table.columns(INDEX_COLUMNS))
