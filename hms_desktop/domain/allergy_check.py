"""The drug-allergy check run when a medication is added to a record.

Prescribing amoxicillin to a patient allergic to penicillin once went through silently. Every
new medication is now compared with the patient's active allergies by substance (the same
word) and by class (both named in the curated table ``hms_desktop/resources/drug_allergy_classes.csv``,
with generic and brand names). The result always says something: a conflict with the
allergy's reaction and severity, "not checked against allergies" when the drug is not in the
table, or "allergy status not recorded" when nobody asked — silence must never look "safe".

Pure: the service reads the table file and passes its text to ``parse_table``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from hms_desktop.domain.patient import fold
from hms_desktop.domain.record import Allergy, AllergyStatement, RecordStatus

CLASS_LABELS: Mapping[str, str] = {
    "penicillins": "penicillins", "cephalosporins": "cephalosporins", "sulfonamides": "sulfonamides",
    "nsaids": "NSAIDs and aspirin", "opioids": "opioids", "macrolides": "macrolides",
    "iodinated_contrast": "iodinated contrast media",
}
#: Classes that may cross-react (BNF: cephalosporins in penicillin allergy): warned, not matched.
RELATED_CLASSES: Mapping[str, frozenset[str]] = {
    "penicillins": frozenset({"cephalosporins"}), "cephalosporins": frozenset({"penicillins"}),
}


class CheckOutcome(StrEnum):
    CONFLICT = "conflict"
    STATUS_NOT_RECORDED = "allergy_status_not_recorded"
    NO_KNOWN_ALLERGIES = "no_known_allergies"
    NOT_CHECKED = "not_checked"
    CLEAR = "clear"


@dataclass(frozen=True, slots=True)
class DrugTable:
    """Folded term (its words joined by one space) -> the classes it belongs to."""

    terms: Mapping[str, frozenset[str]]

    def classes_in(self, text: str) -> tuple[frozenset[str], frozenset[str]]:
        """(classes, matched terms) of every table term found as whole words in ``text``."""
        words = _words(text)
        classes: set[str] = set()
        found: set[str] = set()
        for term, term_classes in self.terms.items():
            if _contains(words, term.split()):
                classes |= term_classes
                found.add(term)
        return frozenset(classes), frozenset(found)


@dataclass(frozen=True, slots=True)
class AllergyConflict:
    allergy_id: str
    substance: str
    reaction: str
    severity: str
    why: str  # "same substance", "same class (penicillins)", "related class (...)"

    def sentence(self) -> str:
        reaction = self.reaction or "reaction not recorded"
        return f"{self.substance} allergy ({self.severity}; {reaction}): {self.why}"


@dataclass(frozen=True, slots=True)
class AllergyCheck:
    medication: str
    outcome: CheckOutcome
    conflicts: tuple[AllergyConflict, ...] = field(default=())

    @property
    def message(self) -> str:
        """One sentence for the prescriber; never empty."""
        drug = self.medication.strip() or "This medication"
        if self.outcome is CheckOutcome.CONFLICT:
            return f"ALLERGY WARNING for {drug}: " + "; ".join(c.sentence() for c in self.conflicts)
        if self.outcome is CheckOutcome.STATUS_NOT_RECORDED:
            return f"Allergy status not recorded: {drug} was not checked against allergies."
        if self.outcome is CheckOutcome.NO_KNOWN_ALLERGIES:
            return f"No known allergies recorded: nothing to check {drug} against."
        if self.outcome is CheckOutcome.NOT_CHECKED:
            return (f"{drug} is not in the drug-allergy table: not checked against allergies "
                    "(check the recorded allergies yourself).")
        return f"{drug} checked against the recorded allergies: no match."


def parse_table(text: str) -> DrugTable:
    """Read the curated CSV (``#`` lines are its documentation); a bad row names its line."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    terms: dict[str, set[str]] = {}
    for number, row in enumerate(csv.DictReader(lines), start=2):
        klass, term, kind = (row.get("class") or "").strip(), row.get("term") or "", row.get("kind") or ""
        if klass not in CLASS_LABELS or kind not in ("class", "generic", "brand") or not _words(term):
            raise ValueError(f"drug_allergy_classes.csv: data row {number - 1} is not valid: {row}")
        terms.setdefault(" ".join(_words(term)), set()).add(klass)
    return DrugTable({term: frozenset(classes) for term, classes in terms.items()})


def check_medication(medication: str, allergies: Iterable[Allergy], statement: AllergyStatement,
                     table: DrugTable) -> AllergyCheck:
    """Compare ``medication`` with the active allergies; conflicts first, then what was not known."""
    active = [a for a in allergies if a.status == RecordStatus.ACTIVE]
    drug_classes, drug_terms = table.classes_in(medication)
    drug_words = _words(medication)
    conflicts = []
    for allergy in active:
        why = _why(allergy.substance, drug_words, drug_classes, drug_terms, table)
        if why:
            conflicts.append(AllergyConflict(allergy.id, allergy.substance, allergy.reaction,
                                             allergy.severity.value, why))
    if conflicts:
        return AllergyCheck(medication, CheckOutcome.CONFLICT, tuple(conflicts))
    if not active:
        if statement == AllergyStatement.NO_KNOWN_ALLERGIES:
            return AllergyCheck(medication, CheckOutcome.NO_KNOWN_ALLERGIES)
        return AllergyCheck(medication, CheckOutcome.STATUS_NOT_RECORDED)
    if not drug_classes:
        return AllergyCheck(medication, CheckOutcome.NOT_CHECKED)
    return AllergyCheck(medication, CheckOutcome.CLEAR)


def _why(substance: str, drug_words: list[str], drug_classes: frozenset[str], drug_terms: frozenset[str],
         table: DrugTable) -> str:
    allergy_words = _words(substance)
    allergy_classes, allergy_terms = table.classes_in(substance)
    if allergy_words and (_contains(drug_words, allergy_words) or drug_terms & allergy_terms):
        return "same substance"
    shared = drug_classes & allergy_classes
    if shared:
        return "same class (" + ", ".join(CLASS_LABELS[c] for c in sorted(shared)) + ")"
    related = {r for c in allergy_classes for r in RELATED_CLASSES.get(c, ())} & drug_classes
    if related:
        return ("possible cross-reactivity (" + ", ".join(CLASS_LABELS[c] for c in sorted(related))
                + " with " + ", ".join(CLASS_LABELS[c] for c in sorted(allergy_classes)) + ")")
    return ""


def _words(text: str) -> list[str]:
    """Folded words; a hyphen joins ("co-amoxiclav"), any other punctuation separates."""
    cleaned = "".join(ch if ch.isalnum() or ch == "-" else " " for ch in fold(text))
    return [w.strip("-") for w in cleaned.split() if w.strip("-")]


def _contains(words: list[str], part: list[str]) -> bool:
    n = len(part)
    return n > 0 and any(words[i:i + n] == part for i in range(len(words) - n + 1))
