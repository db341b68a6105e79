"""Table declarations for the clinical record: one CSV table per section, plus the per-patient
allergy statement ("no known allergies" vs "not recorded").

Module-level TableSpecs so ``storage.registry.all_tables()`` finds them (``check``, start-up).
"""

from __future__ import annotations

from hms_desktop.domain.record import SECTIONS, AllergyStatementRecord, Section
from hms_desktop.storage import TableSpec


def _spec(section: Section) -> TableSpec:
    info = SECTIONS[section]
    return TableSpec(name=section.value, model=info.model, id_prefix=info.id_prefix, schema_version=1)


ALLERGIES = _spec(Section.ALLERGIES)
PROBLEMS = _spec(Section.PROBLEMS)
MEDICATIONS = _spec(Section.MEDICATIONS)
SURGERIES = _spec(Section.SURGERIES)
DIAGNOSES = _spec(Section.DIAGNOSES)
CLINICAL_NOTES = _spec(Section.NOTES)
VISITS = _spec(Section.VISITS)

SECTION_TABLES: dict[Section, TableSpec] = {
    Section.ALLERGIES: ALLERGIES, Section.PROBLEMS: PROBLEMS, Section.MEDICATIONS: MEDICATIONS,
    Section.SURGERIES: SURGERIES, Section.DIAGNOSES: DIAGNOSES, Section.NOTES: CLINICAL_NOTES,
    Section.VISITS: VISITS,
}

# id = the patient id (one row per patient), so the caller supplies it.
ALLERGY_STATEMENTS = TableSpec(name="allergy_statements", model=AllergyStatementRecord, id_prefix=None,
                               schema_version=1)

RECORD_TABLES: list[TableSpec] = [*SECTION_TABLES.values(), ALLERGY_STATEMENTS]
