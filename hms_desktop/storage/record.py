"""Table declarations for the clinical record: one CSV table per section, plus the per-patient
allergy statement ("no known allergies" vs "not recorded")."""

from __future__ import annotations

from hms_desktop.domain.record import SECTIONS, AllergyStatementRecord, Section
from hms_desktop.storage import TableSpec

SECTION_TABLES: dict[Section, TableSpec] = {
    section: TableSpec(name=section.value, model=info.model, id_prefix=info.id_prefix, schema_version=1)
    for section, info in SECTIONS.items()
}

# id = the patient id (one row per patient), so the caller supplies it.
ALLERGY_STATEMENTS = TableSpec(name="allergy_statements", model=AllergyStatementRecord, id_prefix=None,
                               schema_version=1)

RECORD_TABLES: list[TableSpec] = [*SECTION_TABLES.values(), ALLERGY_STATEMENTS]
