"""Demo clinical records: plausible allergies, problems, medications, surgeries, diagnoses,
notes and visits for the first few thousand patients (the rest keep empty records, as new
registrations do). Goes through RecordService batch methods, the same rules as the UI."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hms_desktop.domain.record import (
    Allergy,
    ClinicalNote,
    Diagnosis,
    Medication,
    Problem,
    Section,
    Surgery,
    Visit,
)

MAX_PATIENTS_WITH_RECORDS = 5_000

ALLERGENS = [("Penicillin", "rash, urticaria"), ("Amoxicillin", "rash"), ("Peanuts", "anaphylaxis"),
             ("Latex", "contact dermatitis"), ("Ibuprofen", "bronchospasm"), ("Codeine", "nausea, vomiting"),
             ("Shellfish", "angioedema"), ("Sulfonamides", "Stevens-Johnson syndrome"), ("Bee venom", "anaphylaxis")]
SEVERITY = ["mild", "moderate", "moderate", "severe", "life-threatening"]
PROBLEMS = [("Type 2 diabetes mellitus", True), ("Essential hypertension", True), ("Asthma", True),
            ("COPD", True), ("Hypothyroidism", True), ("Osteoarthritis of knee", True),
            ("Migraine", False), ("Lower back pain", False), ("Iron deficiency anaemia", False),
            ("Depression", True), ("Atrial fibrillation", True)]
MEDICATIONS = [("Metformin", 500, "mg", "oral", "twice daily"), ("Amlodipine", 5, "mg", "oral", "once daily"),
               ("Salbutamol", 100, "microgram", "inhaled", "as required"), ("Levothyroxine", 50, "microgram",
               "oral", "once daily"), ("Atorvastatin", 20, "mg", "oral", "at night"), ("Ramipril", 2.5, "mg",
               "oral", "once daily"), ("Paracetamol", 1, "g", "oral", "four times daily"),
               ("Apixaban", 5, "mg", "oral", "twice daily"), ("Sertraline", 50, "mg", "oral", "once daily")]
SURGERIES = ["Appendicectomy", "Laparoscopic cholecystectomy", "Total knee replacement", "Caesarean section",
             "Inguinal hernia repair", "Cataract extraction", "Tonsillectomy", "Carpal tunnel release"]
DIAGNOSES = [("Community-acquired pneumonia", "J18.9"), ("Urinary tract infection", "N39.0"),
             ("Acute bronchitis", "J20.9"), ("Gastroenteritis", "A09"), ("Cellulitis of leg", "L03.1"),
             ("Type 2 diabetes mellitus", "E11.9"), ("Essential hypertension", "I10"), ("Sprained ankle", "S93.4")]
DOCTORS = ["Dr Amara Okafor", "Dr James Whitfield", "Dr Priya Raman", "Dr Sofia Álvarez", "Dr Tomasz Nowak"]
SYMPTOMS = ["cough and fever for 3 days", "chest tightness on exertion", "headache and photophobia",
            "burning on urination", "painful swollen knee", "fatigue, weight gain", "review of blood pressure"]
TREATMENTS = ["advice, safety-netting", "amoxicillin 500 mg tds 5 days", "bloods ordered, review results",
              "physiotherapy referral", "dose adjusted", "inhaler technique reviewed"]


def _day(rng: random.Random, today: date, max_years: float) -> date:
    return today - timedelta(days=rng.randint(1, int(365 * max_years)))


def _at(rng: random.Random, today: date, max_years: float) -> datetime:
    day = _day(rng, today, max_years)
    return datetime(day.year, day.month, day.day, rng.randint(8, 17), rng.choice((0, 15, 30, 45)), tzinfo=UTC)


def build_records(patient_id: str, rng: random.Random, today: date, scale: int = 1) -> dict[Section, list[Any]]:
    """One patient's record; ``scale`` multiplies the counts (the benchmark's 10-year record)."""
    out: dict[Section, list[Any]] = {s: [] for s in Section}
    for substance, reaction in rng.sample(ALLERGENS, rng.choice((0, 0, 0, 1, 1, 2))):
        out[Section.ALLERGIES].append(Allergy(patient_id=patient_id, substance=substance, reaction=reaction,
                                              severity=rng.choice(SEVERITY), noted_on=_day(rng, today, 20)))
    for _ in range(rng.randint(0, 3) * scale):
        name, chronic = rng.choice(PROBLEMS)
        out[Section.PROBLEMS].append(Problem(patient_id=patient_id, condition=name, chronic=chronic,
                                             onset=_day(rng, today, 10),
                                             status="active" if chronic or rng.random() < 0.3 else "resolved"))
    for _ in range(rng.randint(0, 4) * scale):
        name, dose, unit, route, freq = rng.choice(MEDICATIONS)
        start = _day(rng, today, 10)
        stopped = rng.random() < 0.4
        out[Section.MEDICATIONS].append(Medication(
            patient_id=patient_id, name=name, dose=dose, unit=unit, route=route, frequency=freq, start=start,
            stop=min(today, start + timedelta(days=rng.randint(7, 400))) if stopped else None,
            status="stopped" if stopped else "active", prescriber=rng.choice(DOCTORS)))
    for _ in range(rng.choice((0, 0, 1)) * scale):
        out[Section.SURGERIES].append(Surgery(patient_id=patient_id, procedure=rng.choice(SURGERIES),
                                              performed_on=_day(rng, today, 30)))
    for _ in range(rng.randint(0, 2) * scale):
        desc, code = rng.choice(DIAGNOSES)
        out[Section.DIAGNOSES].append(Diagnosis(patient_id=patient_id, description=desc, icd10=code,
                                                diagnosed_on=_day(rng, today, 10), doctor=rng.choice(DOCTORS)))
    for _ in range(rng.randint(0, 3) * scale):
        at = _at(rng, today, 10)
        doctor = rng.choice(DOCTORS)
        symptoms = rng.choice(SYMPTOMS)
        follow = rng.random() < 0.3
        out[Section.VISITS].append(Visit(
            patient_id=patient_id, at=at, doctor=doctor, symptoms=symptoms,
            diagnosis=rng.choice(DIAGNOSES)[0], treatment=rng.choice(TREATMENTS), follow_up_required=follow,
            next_visit=(at + timedelta(days=rng.choice((7, 14, 28)))).date() if follow else None))
        out[Section.NOTES].append(ClinicalNote(patient_id=patient_id, author=doctor, at=at + timedelta(minutes=20),
                                               text=f"Seen for {symptoms}. Examination unremarkable. Plan discussed."))
    return out


def _amendments(rng: random.Random, notes: list[ClinicalNote]) -> list[ClinicalNote]:
    """About one note in twenty gets a correction by its author an hour later."""
    return [ClinicalNote(patient_id=n.patient_id, author=n.author, at=n.at + timedelta(hours=1), amends=n.id,
                         text="Addendum: " + rng.choice(["BP rechecked 132/84.", "Bloods reviewed, normal.",
                                                          "Correction: seen with interpreter."]))
            for n in notes if rng.random() < 0.05]


def generate(services: Any, rng: random.Random, *, patients: int,
             progress: Callable[[str, float], None]) -> None:
    """Records for up to MAX_PATIENTS_WITH_RECORDS patients, in batches (one fsync each)."""
    ids = list(services.patients.ids())[: min(patients, MAX_PATIENTS_WITH_RECORDS)]
    today = date.today()
    batch: dict[Section, list[Any]] = {s: [] for s in Section}
    without_allergies: list[str] = []

    amendments: list[ClinicalNote] = []

    def flush() -> None:
        for section, rows in batch.items():
            if rows:
                saved = services.record.add_many(section, rows)
                rows.clear()
                if section == Section.NOTES:
                    amendments.extend(_amendments(rng, saved))

    for n, pid in enumerate(ids, 1):
        records = build_records(pid, rng, today)
        for section, rows in records.items():
            batch[section].extend(rows)
        if not records[Section.ALLERGIES] and rng.random() < 0.6:
            without_allergies.append(pid)  # the rest stay "not recorded", as in real clinics
        if n % 500 == 0:
            flush()
            progress("clinical records", n / max(1, len(ids)))
    flush()
    services.record.add_many(Section.NOTES, amendments)  # so the demo shows amended notes
    services.record.record_no_known_allergies_many(without_allergies)
    progress("clinical records", 1.0)
