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

    Column by column (no pandas frame: half the time at 100,000 patients). A row inserted
    between two columns' reads makes their lengths differ: then ``frame`` snapshots every
    column under the table's lock, so the columns always line up.
    """
    columns = {c: table.column(c) for c in INDEX_COLUMNS}
    if len({len(column) for column in columns.values()}) > 1:
        frame = table.frame([c for c in INDEX_COLUMNS if c != "id"])
        columns = {c: frame[c].tolist() for c in frame.columns}
        columns["id"] = frame.index.tolist()
    return PatientIndex(columns)
